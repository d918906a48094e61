package io.synod.storage;

import io.synod.core.Durable;
import io.synod.core.Ballot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The segmented write-ahead log: {@link Durable} records framed with a length, a type and a CRC32C
 * ({@link WalFormat}), in segment files of about {@code segmentBytes} each.
 *
 * <p>Writing happens on one thread (the replica loop). Making writes durable is split in two so that the fsync can
 * run on another thread: {@link #syncPoint()} (writer thread) captures which files must be forced and whether the
 * directory must be synced; {@link SyncPoint#run()} (any thread) does it.
 *
 * <p>Compaction never loses the acceptor's promise: every new segment starts with a Promised record of the highest
 * ballot promised so far, and only a prefix of old segments is ever deleted, one at a time, each deletion made
 * durable before the next, so the segments on disk always form a contiguous run.
 *
 * <p>Rolling to a new segment forces the old one first, so a crash can tear only the newest segment's tail.
 */
public final class Wal implements AutoCloseable {
    /**
     * @param segmentBytes roll to a new segment once the active one is this big
     * @param maxRecordBytes the largest record payload the log accepts (larger lengths are damage)
     * @param check how recovery tells an intact record from a damaged one ({@link RecordCheck#CRC32C})
     */
    public record Options(long segmentBytes, int maxRecordBytes, RecordCheck check) {
        public Options(long segmentBytes, int maxRecordBytes) {
            this(segmentBytes, maxRecordBytes, RecordCheck.CRC32C);
        }

        public static Options defaults() {
            return new Options(64L << 20, 64 << 20);
        }
    }

    /** One segment file. */
    private static final class Segment {
        final long index;
        final String name;
        final Disk.DiskFile file;
        long maxSlot = -1;

        Segment(long index, Disk.DiskFile file) {
            this.index = index;
            this.name = WalFormat.segmentName(index);
            this.file = file;
        }
    }

    /** What one sync must do: force these files, then maybe sync the directory, then delete these segments. */
    public static final class SyncPoint {
        private final Disk disk;
        private final List<Disk.DiskFile> files;
        private final boolean directory;
        private final List<Segment> deletions;

        private SyncPoint(Disk disk, List<Disk.DiskFile> files, boolean directory, List<Segment> deletions) {
            this.disk = disk;
            this.files = files;
            this.directory = directory;
            this.deletions = deletions;
        }

        /** Makes durable everything written before this sync point was taken. May run on any thread. */
        public void run() throws IOException {
            for (Disk.DiskFile file : files) {
                file.force();
            }
            if (directory) {
                disk.syncDirectory();
            }
            for (Segment segment : deletions) {
                segment.file.close();
                disk.delete(segment.name);
                disk.syncDirectory();
            }
        }

        public boolean isEmpty() {
            return files.isEmpty() && !directory && deletions.isEmpty();
        }
    }

    private final Disk disk;
    private final Options options;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final List<Disk.DiskFile> unforced = new ArrayList<>();
    private final List<Segment> deletions = new ArrayList<>();
    private boolean directoryDirty;
    private Ballot highestPromise = Ballot.ZERO;
    private long activeSize;

    private Wal(Disk disk, Options options) {
        this.disk = disk;
        this.options = options;
    }

    /**
     * Opens the log in {@code disk}, replaying every good record to {@code replay} in order. A torn tail is cut at
     * the last good record and reported to {@code log} in one line.
     *
     * @throws CorruptionException if a bad record is followed by good ones, or a segment is missing or damaged
     */
    public static Wal open(Disk disk, Options options, Consumer<Durable> replay, Consumer<String> log)
            throws IOException {
        Wal wal = new Wal(disk, options);
        new WalReader(disk, options, log).read(replay, wal::adopt);
        if (wal.segments.isEmpty()) {
            wal.startSegment(1);
        }
        Segment active = wal.segments.peekLast();
        wal.activeSize = active.file.size();
        // What recovery read may have been only in the operating system's cache (a process that stopped on a full
        // disk, not a crash). Make it durable now: the node will act on it, and must not act on what it could lose.
        active.file.force();
        disk.syncDirectory();
        wal.unforced.clear();
        wal.directoryDirty = false;
        return wal;
    }

    /** Called by the reader for each segment that survives recovery, oldest first. */
    private void adopt(long index, Disk.DiskFile file, long maxSlot, Ballot promise) {
        Segment segment = new Segment(index, file);
        segment.maxSlot = maxSlot;
        segments.addLast(segment);
        if (promise.greaterThan(highestPromise)) {
            highestPromise = promise;
        }
    }

    /**
     * Appends records after all earlier ones, in one write per segment. Not durable until a sync point covering it
     * has run.
     *
     * @throws DiskFullException if the disk is full; nothing of this batch is then in the log
     */
    public void append(List<Durable> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        List<byte[]> payloads = new ArrayList<>(records.size());
        int bytes = 0;
        for (Durable record : records) {
            byte[] payload = RecordCodec.encode(record);
            if (payload.length > options.maxRecordBytes()) {
                throw new IllegalArgumentException("record of " + payload.length + " bytes is over the limit of "
                        + options.maxRecordBytes());
            }
            payloads.add(payload);
            bytes += WalFormat.RECORD_HEADER_BYTES + payload.length;
        }
        if (activeSize + bytes > options.segmentBytes() && activeSize > WalFormat.SEGMENT_HEADER_BYTES) {
            roll();
        }
        ByteBuffer buffer = ByteBuffer.allocate(bytes);
        for (int i = 0; i < records.size(); i++) {
            WalFormat.frame(buffer, RecordCodec.type(records.get(i)), payloads.get(i));
        }
        write(buffer.array());
        Segment active = segments.peekLast();
        for (Durable record : records) {
            note(active, record);
        }
    }

    private void note(Segment segment, Durable record) {
        switch (record) {
            case Durable.Promised p -> raisePromise(p.ballot());
            case Durable.Accepted a -> {
                raisePromise(a.ballot());
                segment.maxSlot = Math.max(segment.maxSlot, a.slot());
            }
            case Durable.Chosen c -> segment.maxSlot = Math.max(segment.maxSlot, c.slot());
        }
    }

    private void raisePromise(Ballot ballot) {
        if (ballot.greaterThan(highestPromise)) {
            highestPromise = ballot;
        }
    }

    private void write(byte[] bytes) throws IOException {
        Segment active = segments.peekLast();
        try {
            active.file.append(bytes, 0, bytes.length);
        } catch (DiskFullException | IOException failure) {
            // Leave no partial record behind: cut back to where this batch began.
            active.file.truncate(activeSize);
            throw failure;
        }
        activeSize += bytes.length;
        if (!unforced.contains(active.file)) {
            unforced.add(active.file);
        }
    }

    /** Forces the active segment and starts the next one, which begins with the highest promise so far. */
    private void roll() throws IOException {
        Segment old = segments.peekLast();
        old.file.force();
        unforced.remove(old.file);
        startSegment(old.index + 1);
    }

    private void startSegment(long index) throws IOException {
        String name = WalFormat.segmentName(index);
        Disk.DiskFile file = disk.open(name);
        try {
            byte[] header = WalFormat.segmentHeader(index);
            file.append(header, 0, header.length);
            if (!highestPromise.isZero()) {
                byte[] payload = RecordCodec.encode(new Durable.Promised(highestPromise));
                ByteBuffer record = ByteBuffer.allocate(WalFormat.RECORD_HEADER_BYTES + payload.length);
                WalFormat.frame(record, RecordCodec.PROMISED, payload);
                file.append(record.array(), 0, record.capacity());
            }
        } catch (DiskFullException | IOException failure) {
            file.close();
            disk.delete(name);
            throw failure;
        }
        segments.addLast(new Segment(index, file));
        activeSize = file.size();
        unforced.add(file);
        directoryDirty = true;
    }

    /** Captures what the next sync must do to make everything appended so far durable. Writer thread only. */
    public SyncPoint syncPoint() {
        SyncPoint point = new SyncPoint(disk, List.copyOf(unforced), directoryDirty, List.copyOf(deletions));
        unforced.clear();
        deletions.clear();
        directoryDirty = false;
        return point;
    }

    /**
     * Marks for deletion, at the next sync point, the oldest segments that hold nothing about slots at or above
     * {@code retainFrom}. The active segment is never deleted.
     */
    public void compact(long retainFrom) {
        while (segments.size() > 1 && segments.peekFirst().maxSlot < retainFrom) {
            deletions.add(segments.pollFirst());
        }
    }

    /** How many segment files the log has (not counting those waiting for deletion). */
    public int segmentCount() {
        return segments.size();
    }

    public Ballot highestPromise() {
        return highestPromise;
    }

    @Override
    public void close() throws IOException {
        for (Segment segment : segments) {
            segment.file.close();
        }
        for (Segment segment : deletions) {
            segment.file.close();
        }
    }
}
