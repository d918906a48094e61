package io.synod.storage;

import io.synod.core.StateMachine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Snapshot files of the state machine.
 *
 * <pre>
 * snapshot-NNNNNNNNNNNNNNNNNNNN.snap   (NNN = the slot: the snapshot holds the effect of every slot below it)
 *   header   magic "SYNS" | format version u32 | slot u64
 *   body     the state machine's bytes
 *   trailer  body length u64 | crc32c u32 of everything before it
 * </pre>
 * A snapshot is written to a temporary file, forced, renamed into place and the directory synced; only then is it
 * durable and older snapshots deleted. A snapshot received from a peer is the same file, byte for byte, so its
 * checksum is checked before it is installed.
 *
 * <p>Threads: {@link #save} may run on a background thread while the loop thread serves reads of the newest
 * snapshot; the newest snapshot's identity is published atomically.
 */
public final class SnapshotStore {
    public static final int MAGIC = 0x5359_4E53; // "SYNS"
    public static final int VERSION = 1;
    static final int HEADER_BYTES = 16;
    static final int TRAILER_BYTES = 12;
    private static final String PREFIX = "snapshot-";

    /** The newest durable snapshot. */
    public record Newest(long slot, long bytes) {
        static final Newest NONE = new Newest(0, 0);
    }

    private final Disk disk;
    private volatile Newest newest = Newest.NONE;
    private Disk.DiskFile receiving;
    private long receivingSlot = -1;

    private SnapshotStore(Disk disk) {
        this.disk = disk;
    }

    /**
     * Finds the newest snapshot and checks it; removes leftovers of snapshots that were never finished.
     *
     * @throws CorruptionException if the newest snapshot is damaged
     */
    public static SnapshotStore open(Disk disk, Consumer<String> log) throws IOException {
        SnapshotStore store = new SnapshotStore(disk);
        long best = -1;
        for (String name : disk.list()) {
            if (name.startsWith(PREFIX) && (name.endsWith(".tmp") || name.endsWith(".recv"))) {
                disk.delete(name);
                log.accept("removed unfinished snapshot file " + name);
            } else if (slotOf(name) > best) {
                best = slotOf(name);
            }
        }
        if (best >= 0) {
            long bytes = store.verify(fileName(best), best);
            store.newest = new Newest(best, bytes);
        }
        return store;
    }

    static String fileName(long slot) {
        return String.format("%s%020d.snap", PREFIX, slot);
    }

    static long slotOf(String name) {
        if (!name.startsWith(PREFIX) || !name.endsWith(".snap") || name.length() != PREFIX.length() + 25) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 20));
        } catch (NumberFormatException notOurs) {
            return -1;
        }
    }

    public Newest newest() {
        return newest;
    }

    /** Writes {@code snapshot} as the snapshot at {@code slot}, durably; returns its size in bytes. */
    public long save(long slot, StateMachine.Snapshot snapshot) throws IOException {
        String temporary = fileName(slot) + ".tmp";
        disk.delete(temporary);
        long size;
        try (Disk.DiskFile file = disk.open(temporary)) {
            ChecksummedWriter writer = new ChecksummedWriter(file);
            writer.write(ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(VERSION).putLong(slot).array());
            long[] bodyBytes = {0};
            snapshot.writeTo((bytes, offset, length) -> {
                writer.writeUnchecked(bytes, offset, length);
                bodyBytes[0] += length;
            });
            writer.writeTrailer(bodyBytes[0]);
            writer.flush();
            file.force();
            size = file.size();
        }
        publish(temporary, slot, size);
        return size;
    }

    private synchronized void publish(String temporary, long slot, long size) throws IOException {
        if (slot <= newest.slot() && newest.slot() > 0) {
            disk.delete(temporary);
            return;
        }
        disk.rename(temporary, fileName(slot));
        disk.syncDirectory();
        Newest previous = newest;
        newest = new Newest(slot, size);
        if (previous.slot() > 0) {
            disk.delete(fileName(previous.slot()));
        }
    }

    /** Bytes of the newest snapshot's file from {@code offset}, at most {@code maxBytes}; null if it is not that one. */
    public byte[] read(long slot, long offset, int maxBytes) throws IOException {
        Newest current = newest;
        if (current.slot() != slot || slot == 0 || offset >= current.bytes()) {
            return null;
        }
        byte[] bytes = new byte[(int) Math.min(maxBytes, current.bytes() - offset)];
        try (Disk.DiskFile file = disk.openExisting(fileName(slot))) {
            int done = 0;
            while (done < bytes.length) {
                int n = file.read(offset + done, bytes, done, bytes.length - done);
                if (n < 0) {
                    return null;
                }
                done += n;
            }
        } catch (java.nio.file.NoSuchFileException replaced) {
            return null; // a newer snapshot replaced it meanwhile; the peer will ask again
        }
        return bytes;
    }

    /** Appends a chunk of a snapshot file being received from a peer; chunks come in order from offset 0. */
    public void receive(long slot, long offset, byte[] data) throws IOException {
        if (offset == 0) {
            abandonReceive();
            String name = fileName(slot) + ".recv";
            disk.delete(name);
            receiving = disk.open(name);
            receivingSlot = slot;
        }
        if (receiving == null || slot != receivingSlot || receiving.size() != offset) {
            throw new IllegalStateException("snapshot chunk for slot " + slot + " at " + offset + " out of order");
        }
        receiving.append(data, 0, data.length);
    }

    /**
     * The received snapshot is complete: checks it and, if newer than the newest, makes it durable as the newest.
     * Returns false (and removes it) if it is damaged.
     */
    public boolean finishReceive(long slot, long totalBytes, Consumer<String> log) throws IOException {
        if (receiving == null || slot != receivingSlot) {
            return false;
        }
        String name = fileName(slot) + ".recv";
        Disk.DiskFile file = receiving;
        receiving = null;
        receivingSlot = -1;
        try {
            if (file.size() != totalBytes) {
                throw new CorruptionException(name, file.size(), "received " + file.size() + " bytes of "
                        + totalBytes);
            }
            verify(file, name, slot);
            file.force();
        } catch (CorruptionException damaged) {
            file.close();
            disk.delete(name);
            log.accept("discarded a snapshot received from a peer: " + damaged.getMessage());
            return false;
        }
        file.close();
        publish(name, slot, totalBytes);
        return true;
    }

    private void abandonReceive() throws IOException {
        if (receiving != null) {
            receiving.close();
            disk.delete(fileName(receivingSlot) + ".recv");
            receiving = null;
            receivingSlot = -1;
        }
    }

    /** The body of the snapshot at {@code slot}, for the state machine's restore. */
    public StateMachine.SnapshotSource open(long slot) throws IOException {
        Disk.DiskFile file = disk.openExisting(fileName(slot));
        long bodyEnd = file.size() - TRAILER_BYTES;
        long[] position = {HEADER_BYTES};
        return (buffer, offset, length) -> {
            try {
                if (position[0] >= bodyEnd) {
                    file.close();
                    return -1;
                }
                int n = file.read(position[0], buffer, offset, (int) Math.min(length, bodyEnd - position[0]));
                if (n > 0) {
                    position[0] += n;
                }
                return n;
            } catch (IOException failure) {
                throw new StorageFailure("cannot read snapshot " + fileName(slot), failure);
            }
        };
    }

    private long verify(String name, long slot) throws IOException {
        try (Disk.DiskFile file = disk.openExisting(name)) {
            verify(file, name, slot);
            return file.size();
        }
    }

    /** Checks the whole file: header, slot, length and checksum. */
    private void verify(Disk.DiskFile file, String name, long slot) throws IOException {
        long size = file.size();
        if (size < HEADER_BYTES + TRAILER_BYTES) {
            throw new CorruptionException(name, 0, "snapshot file of " + size + " bytes is too short");
        }
        CRC32C crc = new CRC32C();
        byte[] buffer = new byte[1 << 20];
        long checked = 0;
        long end = size - 4;
        byte[] header = new byte[HEADER_BYTES];
        readFully(file, 0, header);
        while (checked < end) {
            int n = file.read(checked, buffer, 0, (int) Math.min(buffer.length, end - checked));
            if (n < 0) {
                break;
            }
            crc.update(buffer, 0, n);
            checked += n;
        }
        byte[] trailer = new byte[TRAILER_BYTES];
        readFully(file, size - TRAILER_BYTES, trailer);
        ByteBuffer head = ByteBuffer.wrap(header);
        ByteBuffer tail = ByteBuffer.wrap(trailer);
        if (tail.getInt(8) != (int) crc.getValue()) {
            throw new CorruptionException(name, size - 4, "snapshot checksum mismatch");
        }
        if (head.getInt(0) != MAGIC || head.getInt(4) != VERSION) {
            throw new CorruptionException(name, 0, "not a Synod snapshot of format version " + VERSION);
        }
        if (head.getLong(8) != slot) {
            throw new CorruptionException(name, 8, "snapshot header says slot " + head.getLong(8));
        }
        if (tail.getLong(0) != size - HEADER_BYTES - TRAILER_BYTES) {
            throw new CorruptionException(name, size - TRAILER_BYTES, "snapshot length field does not match");
        }
    }

    private static void readFully(Disk.DiskFile file, long position, byte[] into) throws IOException {
        int done = 0;
        while (done < into.length) {
            int n = file.read(position + done, into, done, into.length - done);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            done += n;
        }
    }

    /** Buffers writes to a file and keeps a running checksum of everything written. */
    private static final class ChecksummedWriter {
        private final Disk.DiskFile file;
        private final CRC32C crc = new CRC32C();
        private final byte[] buffer = new byte[1 << 20];
        private int buffered;

        ChecksummedWriter(Disk.DiskFile file) {
            this.file = file;
        }

        void write(byte[] bytes) throws IOException {
            write(bytes, 0, bytes.length);
        }

        void write(byte[] bytes, int offset, int length) throws IOException {
            crc.update(bytes, offset, length);
            while (length > 0) {
                int n = Math.min(length, buffer.length - buffered);
                System.arraycopy(bytes, offset, buffer, buffered, n);
                buffered += n;
                offset += n;
                length -= n;
                if (buffered == buffer.length) {
                    flush();
                }
            }
        }

        void writeUnchecked(byte[] bytes, int offset, int length) {
            try {
                write(bytes, offset, length);
            } catch (IOException failure) {
                throw new StorageFailure("cannot write snapshot", failure);
            }
        }

        void writeTrailer(long bodyBytes) throws IOException {
            write(ByteBuffer.allocate(8).putLong(bodyBytes).array());
            byte[] checksum = ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
            flushTo(checksum);
        }

        private void flushTo(byte[] last) throws IOException {
            flush();
            file.append(last, 0, last.length);
        }

        void flush() throws IOException {
            if (buffered > 0) {
                file.append(buffer, 0, buffered);
                buffered = 0;
            }
        }
    }

    /** Every snapshot file name (for tests). */
    List<String> files() throws IOException {
        List<String> names = new ArrayList<>();
        for (String name : disk.list()) {
            if (name.startsWith(PREFIX)) {
                names.add(name);
            }
        }
        return names;
    }
}
