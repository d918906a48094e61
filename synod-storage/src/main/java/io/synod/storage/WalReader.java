package io.synod.storage;

import io.synod.core.Durable;
import io.synod.core.Ballot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Recovery of the write-ahead log: reads every segment in order and replays its records.
 *
 * <p>A damaged record is either a <b>torn tail</b> — nothing good follows it anywhere in the log, so it is what a
 * crash in the middle of a write leaves behind — and the log is cut at the last good record, or <b>corruption</b> —
 * good records follow it, so bytes that were once durable changed — and recovery stops with a
 * {@link CorruptionException} naming the file and the byte offset. A record whose checksum holds but which does not
 * decode is corruption too: no crash makes one.
 */
final class WalReader {
    /** Receives each segment that survives recovery, oldest first. */
    interface SegmentSink {
        void adopt(long index, Disk.DiskFile file, long maxSlot, Ballot promise) throws IOException;
    }

    private final Disk disk;
    private final Wal.Options options;
    private final Consumer<String> log;

    WalReader(Disk disk, Wal.Options options, Consumer<String> log) {
        this.disk = disk;
        this.options = options;
        this.log = log;
    }

    void read(Consumer<Durable> replay, SegmentSink sink) throws IOException {
        List<Long> indexes = segmentIndexes();
        for (int i = 0; i < indexes.size(); i++) {
            long index = indexes.get(i);
            String name = WalFormat.segmentName(index);
            Disk.DiskFile file = disk.openExisting(name);
            byte[] bytes = readAll(file);
            boolean last = i == indexes.size() - 1;
            String headerProblem = WalFormat.checkSegmentHeader(bytes, index);
            if (headerProblem != null) {
                if (last && bytes.length < WalFormat.SEGMENT_HEADER_BYTES) {
                    // The crash came while the segment was being created: nothing in it was ever durable.
                    file.close();
                    disk.delete(name);
                    log.accept("removed segment " + name + " whose creation was cut short by a crash ("
                            + bytes.length + " bytes)");
                    break;
                }
                file.close();
                throw new CorruptionException(name, 0, headerProblem);
            }
            Scan scan = scan(name, bytes, replay);
            if (scan.badAt >= 0) {
                if (anyGoodAfter(bytes, scan.badAt + 1) || laterSegmentsHoldRecords(indexes.subList(i + 1,
                        indexes.size()))) {
                    file.close();
                    throw new CorruptionException(name, scan.badAt, scan.problem + ", followed by good records");
                }
                file.truncate(scan.badAt);
                log.accept("cut the torn tail of " + name + " at byte offset " + scan.badAt + " ("
                        + (bytes.length - scan.badAt) + " bytes: " + scan.problem + ")");
                for (long later : indexes.subList(i + 1, indexes.size())) {
                    disk.delete(WalFormat.segmentName(later));
                }
                sink.adopt(index, file, scan.maxSlot, scan.promise);
                break;
            }
            sink.adopt(index, file, scan.maxSlot, scan.promise);
        }
    }

    private List<Long> segmentIndexes() throws IOException {
        List<Long> indexes = new ArrayList<>();
        for (String name : disk.list()) {
            long index = WalFormat.segmentIndex(name);
            if (index >= 0) {
                indexes.add(index);
            }
        }
        indexes.sort(Long::compare);
        for (int i = 1; i < indexes.size(); i++) {
            if (indexes.get(i) != indexes.get(i - 1) + 1) {
                throw new CorruptionException(WalFormat.segmentName(indexes.get(i - 1) + 1), 0,
                        "segment is missing between " + WalFormat.segmentName(indexes.get(i - 1)) + " and "
                                + WalFormat.segmentName(indexes.get(i)));
            }
        }
        return indexes;
    }

    private static byte[] readAll(Disk.DiskFile file) throws IOException {
        long size = file.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("segment of " + size + " bytes is too large to read");
        }
        byte[] bytes = new byte[(int) size];
        int done = 0;
        while (done < bytes.length) {
            int n = file.read(done, bytes, done, bytes.length - done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, done);
    }

    /** The outcome of reading one segment's records. */
    private static final class Scan {
        int badAt = -1;
        String problem;
        long maxSlot = -1;
        Ballot promise = Ballot.ZERO;
    }

    private Scan scan(String name, byte[] bytes, Consumer<Durable> replay) {
        Scan scan = new Scan();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int position = WalFormat.SEGMENT_HEADER_BYTES;
        while (position < bytes.length) {
            String problem = checkRecord(bytes, position);
            if (problem != null) {
                scan.badAt = position;
                scan.problem = problem;
                return scan;
            }
            int length = buffer.getInt(position);
            byte type = bytes[position + 4];
            byte[] payload = new byte[length];
            System.arraycopy(bytes, position + WalFormat.RECORD_HEADER_BYTES, payload, 0, length);
            Durable record;
            try {
                record = RecordCodec.decode(type, payload);
            } catch (IllegalArgumentException malformed) {
                throw new CorruptionException(name, position, "record does not decode: " + malformed.getMessage());
            }
            note(scan, record);
            replay.accept(record);
            position += WalFormat.RECORD_HEADER_BYTES + length;
        }
        return scan;
    }

    private static void note(Scan scan, Durable record) {
        switch (record) {
            case Durable.Promised p -> scan.promise = max(scan.promise, p.ballot());
            case Durable.Accepted a -> {
                scan.promise = max(scan.promise, a.ballot());
                scan.maxSlot = Math.max(scan.maxSlot, a.slot());
            }
            case Durable.Chosen c -> scan.maxSlot = Math.max(scan.maxSlot, c.slot());
        }
    }

    private static Ballot max(Ballot a, Ballot b) {
        return b.greaterThan(a) ? b : a;
    }

    /** Null if a well-formed record with a good checksum starts at {@code position}, else what is wrong. */
    private String checkRecord(byte[] bytes, int position) {
        if (bytes.length - position < WalFormat.RECORD_HEADER_BYTES) {
            return "partial record header";
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int length = buffer.getInt(position);
        if (length < 0 || length > options.maxRecordBytes()) {
            return "impossible record length " + length;
        }
        if ((long) position + WalFormat.RECORD_HEADER_BYTES + length > bytes.length) {
            return "record runs past the end of the file";
        }
        int stored = buffer.getInt(position + 5);
        if (!options.check().intact(bytes, position, length, stored)) {
            return "checksum mismatch";
        }
        return null;
    }

    /** Whether a good record starts anywhere at or after {@code from}. */
    private boolean anyGoodAfter(byte[] bytes, int from) {
        for (int position = from; position + WalFormat.RECORD_HEADER_BYTES <= bytes.length; position++) {
            if (looksGood(bytes, position)) {
                return true;
            }
        }
        return false;
    }

    private boolean looksGood(byte[] bytes, int position) {
        int length = ByteBuffer.wrap(bytes).getInt(position);
        if (length < 0 || length > options.maxRecordBytes()
                || (long) position + WalFormat.RECORD_HEADER_BYTES + length > bytes.length) {
            return false;
        }
        return ByteBuffer.wrap(bytes).getInt(position + 5) == WalFormat.computedChecksum(bytes, position, length);
    }

    private boolean laterSegmentsHoldRecords(List<Long> later) throws IOException {
        for (long index : later) {
            try (Disk.DiskFile file = disk.openExisting(WalFormat.segmentName(index))) {
                byte[] bytes = readAll(file);
                if (WalFormat.checkSegmentHeader(bytes, index) == null
                        && anyGoodAfter(bytes, WalFormat.SEGMENT_HEADER_BYTES)) {
                    return true;
                }
            }
        }
        return false;
    }
}
