package io.synod.sim;

import io.synod.storage.Disk;
import io.synod.storage.DiskFullException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A simulated disk with the POSIX durability model: a file's bytes are durable up to its last {@code force}; the
 * directory's entries (creations, renames, deletions) are durable as of its last {@code syncDirectory}. A crash
 * keeps durable bytes and entries and loses the rest — or, with torn writes, keeps a random prefix of each file's
 * unsynced bytes, as a disk that wrote part of a request does.
 *
 * <p>Faults the simulator can inject: the next fsync fails; the disk fills up (appends throw
 * {@link DiskFullException} until space returns); a durable byte is flipped (bit rot).
 *
 * <p>Handles opened before a crash stop working after it, like the file descriptors of a dead process.
 */
final class SimDisk implements Disk {
    /** A file's contents, shared by every name that refers to it. */
    static final class Inode {
        byte[] data = new byte[0];
        int length;
        int syncedLength;

        void append(byte[] bytes, int offset, int count) {
            if (length + count > data.length) {
                data = Arrays.copyOf(data, Math.max(length + count, data.length * 2 + 64));
            }
            System.arraycopy(bytes, offset, data, length, count);
            length += count;
        }
    }

    private final String name;
    private Map<String, Inode> visible = new HashMap<>();
    private Map<String, Inode> durable = new HashMap<>();
    private int generation;
    private boolean failNextForce;
    private long capacityBytes = Long.MAX_VALUE;

    SimDisk(String name) {
        this.name = name;
    }

    @Override
    public DiskFile open(String file) {
        return new Handle(file, visible.computeIfAbsent(file, f -> new Inode()));
    }

    @Override
    public DiskFile openExisting(String file) throws IOException {
        Inode inode = visible.get(file);
        if (inode == null) {
            throw new NoSuchFileException(file);
        }
        return new Handle(file, inode);
    }

    @Override
    public boolean exists(String file) {
        return visible.containsKey(file);
    }

    @Override
    public List<String> list() {
        List<String> names = new ArrayList<>(visible.keySet());
        names.sort(String::compareTo);
        return names;
    }

    @Override
    public void rename(String from, String to) throws IOException {
        Inode inode = visible.remove(from);
        if (inode == null) {
            throw new NoSuchFileException(from);
        }
        visible.put(to, inode);
    }

    @Override
    public void delete(String file) {
        visible.remove(file);
    }

    @Override
    public void syncDirectory() {
        durable = new HashMap<>(visible);
    }

    @Override
    public String describe() {
        return name;
    }

    // ----- faults -----

    /** Loses what a crash loses. With {@code torn}, each file keeps a random prefix of its unsynced bytes. */
    void crash(SplittableRandom random, boolean torn) {
        generation++;
        for (Inode inode : new ArrayList<>(allInodes())) {
            int unsynced = inode.length - inode.syncedLength;
            int keep = torn && unsynced > 0 ? random.nextInt(unsynced + 1) : 0;
            inode.length = inode.syncedLength + keep;
            inode.syncedLength = inode.length;
        }
        visible = new HashMap<>(durable);
        failNextForce = false;
    }

    /** Makes every open handle stale without losing anything (the process stopped but the machine did not). */
    void closeAll() {
        generation++;
    }

    void failNextForce() {
        failNextForce = true;
    }

    /** Lets the disk hold only {@code extraBytes} more than it holds now. */
    void fill(long extraBytes) {
        capacityBytes = usedBytes() + extraBytes;
    }

    void freeSpace() {
        capacityBytes = Long.MAX_VALUE;
    }

    boolean isFull() {
        return capacityBytes != Long.MAX_VALUE;
    }

    long usedBytes() {
        long used = 0;
        for (Inode inode : allInodes()) {
            used += inode.length;
        }
        return used;
    }

    private List<Inode> allInodes() {
        List<Inode> inodes = new ArrayList<>(visible.values());
        for (Inode inode : durable.values()) {
            if (!inodes.contains(inode)) {
                inodes.add(inode);
            }
        }
        return inodes;
    }

    /** The durable file {@code file}'s inode, or null (for bit rot). */
    Inode durableInode(String file) {
        return durable.get(file);
    }

    List<String> durableNames() {
        List<String> names = new ArrayList<>(durable.keySet());
        names.sort(String::compareTo);
        return names;
    }

    private final class Handle implements DiskFile {
        private final String file;
        private final Inode inode;
        private final int openedIn = generation;

        Handle(String file, Inode inode) {
            this.file = file;
            this.inode = inode;
        }

        private void live() throws IOException {
            if (openedIn != generation) {
                throw new IOException(name + "/" + file + ": stale handle from before a crash");
            }
        }

        @Override
        public long size() throws IOException {
            live();
            return inode.length;
        }

        @Override
        public void append(byte[] bytes, int offset, int length) throws IOException {
            live();
            if (usedBytes() + length > capacityBytes) {
                int fits = (int) Math.max(0, Math.min(length, capacityBytes - usedBytes()));
                inode.append(bytes, offset, fits); // a full disk writes what fits, then fails
                throw new DiskFullException("disk full writing " + name + "/" + file);
            }
            inode.append(bytes, offset, length);
        }

        @Override
        public void force() throws IOException {
            live();
            if (failNextForce) {
                failNextForce = false;
                throw new IOException(name + "/" + file + ": fsync failed (injected)");
            }
            inode.syncedLength = inode.length;
        }

        @Override
        public int read(long position, byte[] buffer, int offset, int length) throws IOException {
            live();
            if (position >= inode.length) {
                return -1;
            }
            int n = (int) Math.min(length, inode.length - position);
            System.arraycopy(inode.data, (int) position, buffer, offset, n);
            return n;
        }

        @Override
        public void truncate(long size) throws IOException {
            live();
            inode.length = (int) Math.min(inode.length, size);
            inode.syncedLength = Math.min(inode.syncedLength, inode.length);
        }

        @Override
        public void close() {
        }
    }
}
