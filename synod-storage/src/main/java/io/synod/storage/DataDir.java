package io.synod.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A node's data directory: its identity and its exclusive lock.
 *
 * <p>The {@code meta} file records the format version, the cluster id and the node id, with a checksum. A directory
 * written by another node or cluster refuses to start, so an operator who points a node at the wrong directory
 * cannot make it vote with someone else's promises. An exclusive lock on the {@code lock} file, held while the node
 * runs, stops two processes from sharing a directory.
 */
public final class DataDir implements AutoCloseable {
    public static final int FORMAT_VERSION = 1;
    static final String META = "meta";
    static final String LOCK = "lock";

    private final NioDisk disk;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDir(NioDisk disk, FileChannel lockChannel, FileLock lock) {
        this.disk = disk;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) the data directory for {@code nodeId} of {@code clusterId}.
     *
     * @throws StorageFailure with a one-line reason if another process holds it, or it belongs to another node or
     *     cluster, or it holds data but no identity
     */
    public static DataDir open(Path directory, String clusterId, int nodeId) throws IOException {
        NioDisk disk = new NioDisk(directory);
        FileChannel channel = FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new StorageFailure("data dir " + disk.describe() + " is in use by another process");
        }
        DataDir dataDir = new DataDir(disk, channel, lock);
        try {
            dataDir.checkIdentity(clusterId, nodeId);
        } catch (IOException | RuntimeException failure) {
            dataDir.close();
            throw failure;
        }
        return dataDir;
    }

    public NioDisk disk() {
        return disk;
    }

    private void checkIdentity(String clusterId, int nodeId) throws IOException {
        if (!disk.exists(META)) {
            for (String name : disk.list()) {
                if (WalFormat.segmentIndex(name) >= 0 || SnapshotStore.slotOf(name) >= 0) {
                    throw new StorageFailure("data dir " + disk.describe() + " holds a log but no meta file; "
                            + "refusing to guess whose it is");
                }
            }
            writeMeta(clusterId, nodeId);
            return;
        }
        Map<String, String> meta = readMeta();
        String format = meta.get("format");
        if (!String.valueOf(FORMAT_VERSION).equals(format)) {
            throw new StorageFailure("data dir " + disk.describe() + " has format version " + format
                    + ", this build reads version " + FORMAT_VERSION);
        }
        if (!clusterId.equals(meta.get("cluster")) || !String.valueOf(nodeId).equals(meta.get("node"))) {
            throw new StorageFailure("data dir " + disk.describe() + " belongs to node " + meta.get("node")
                    + " of cluster '" + meta.get("cluster") + "', not node " + nodeId + " of cluster '" + clusterId
                    + "'");
        }
    }

    private void writeMeta(String clusterId, int nodeId) throws IOException {
        String body = "format=" + FORMAT_VERSION + "\ncluster=" + clusterId + "\nnode=" + nodeId + "\n";
        String text = body + "crc=" + Long.toHexString(checksum(body)) + "\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String temporary = META + ".tmp";
        disk.delete(temporary);
        try (Disk.DiskFile file = disk.open(temporary)) {
            file.append(bytes, 0, bytes.length);
            file.force();
        }
        disk.rename(temporary, META);
        disk.syncDirectory();
    }

    private Map<String, String> readMeta() throws IOException {
        byte[] bytes;
        try (Disk.DiskFile file = disk.openExisting(META)) {
            bytes = new byte[(int) Math.min(file.size(), 64 * 1024)];
            int done = 0;
            while (done < bytes.length) {
                int n = file.read(done, bytes, done, bytes.length - done);
                if (n < 0) {
                    break;
                }
                done += n;
            }
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int crcLine = text.lastIndexOf("crc=");
        if (crcLine < 0 || !text.endsWith("\n")) {
            throw new CorruptionException(META, 0, "meta file has no checksum line");
        }
        String body = text.substring(0, crcLine);
        String stored = text.substring(crcLine + 4, text.length() - 1);
        if (!Long.toHexString(checksum(body)).equals(stored)) {
            throw new CorruptionException(META, crcLine, "meta file checksum mismatch");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : body.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                fields.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return fields;
    }

    private static long checksum(String body) {
        CRC32C crc = new CRC32C();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        crc.update(bytes, 0, bytes.length);
        return crc.getValue();
    }

    @Override
    public void close() throws IOException {
        if (lock.isValid()) {
            lock.release();
        }
        lockChannel.close();
    }

    /** The directory's path. */
    public Path path() {
        return disk.directory();
    }
}
