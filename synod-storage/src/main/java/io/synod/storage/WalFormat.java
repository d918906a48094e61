package io.synod.storage;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The byte layout of write-ahead log segments.
 *
 * <pre>
 * segment file  wal-NNNNNNNNNNNNNNNNNNNN.log   (NNN = segment index, 20 digits)
 *   header   magic "SYNW" | format version u32 | segment index u64 | crc32c u32 of the 16 bytes before it
 *   records  one after another:
 *            length u32 (payload bytes) | type u8 | crc32c u32 of (length, type, payload) | payload
 * </pre>
 * Every field is big-endian. The checksum covers the length, so a damaged length cannot send the reader astray
 * without the record failing its check.
 */
public final class WalFormat {
    public static final int MAGIC = 0x5359_4E57; // "SYNW"
    public static final int VERSION = 1;
    public static final int SEGMENT_HEADER_BYTES = 20;
    public static final int RECORD_HEADER_BYTES = 9;
    private static final String PREFIX = "wal-";
    private static final String SUFFIX = ".log";

    private WalFormat() {}

    public static String segmentName(long index) {
        return String.format("%s%020d%s", PREFIX, index, SUFFIX);
    }

    /** The segment index in a file name, or -1 if the name is not a segment's. */
    public static long segmentIndex(String name) {
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) || name.length() != PREFIX.length() + 20 + 4) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(PREFIX.length(), PREFIX.length() + 20));
        } catch (NumberFormatException notOurs) {
            return -1;
        }
    }

    public static byte[] segmentHeader(long index) {
        ByteBuffer buffer = ByteBuffer.allocate(SEGMENT_HEADER_BYTES);
        buffer.putInt(MAGIC).putInt(VERSION).putLong(index);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, 16);
        buffer.putInt((int) crc.getValue());
        return buffer.array();
    }

    /** Checks a segment header; returns null if it is good, else what is wrong. */
    public static String checkSegmentHeader(byte[] bytes, long expectedIndex) {
        if (bytes.length < SEGMENT_HEADER_BYTES) {
            return "segment header is truncated";
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 16);
        if (buffer.getInt(16) != (int) crc.getValue()) {
            return "segment header checksum mismatch";
        }
        if (buffer.getInt(0) != MAGIC) {
            return "not a Synod log segment";
        }
        if (buffer.getInt(4) != VERSION) {
            return "log format version " + buffer.getInt(4) + " is not supported (expected " + VERSION + ")";
        }
        if (buffer.getLong(8) != expectedIndex) {
            return "segment header says index " + buffer.getLong(8) + ", file name says " + expectedIndex;
        }
        return null;
    }

    /** Appends one framed record (header and payload) to {@code out}. */
    public static void frame(ByteBuffer out, byte type, byte[] payload) {
        int start = out.position();
        out.putInt(payload.length).put(type).putInt(0).put(payload);
        out.putInt(start + 5, computedChecksum(out.array(), out.arrayOffset() + start, payload.length));
    }

    /** The checksum of the record framed at {@code offset} of {@code bytes}, computed from its bytes. */
    public static int computedChecksum(byte[] bytes, int offset, int payloadLength) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, 5);
        crc.update(bytes, offset + RECORD_HEADER_BYTES, payloadLength);
        return (int) crc.getValue();
    }
}
