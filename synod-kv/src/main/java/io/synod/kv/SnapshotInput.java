package io.synod.kv;

import io.synod.core.StateMachine;
import java.nio.ByteBuffer;

/**
 * Reads what {@link SnapshotOutput} wrote from a {@link StateMachine.SnapshotSource}, buffered. Every way the bytes can
 * fail to parse (early end, a length out of bounds, bytes after the end) throws {@link IllegalStateException}, which
 * is what {@link StateMachine#restore} promises. Used by one thread, the loop's, during a restore.
 */
final class SnapshotInput {
    private static final int BUFFER_BYTES = 64 * 1024;
    /** A source that keeps answering "0 bytes" is broken; this many answers in a row is taken as proof. */
    private static final int EMPTY_READS_MAX = 1_000;

    private final StateMachine.SnapshotSource source;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).limit(0);
    private boolean sourceEnded;
    private long sourceBytes;

    SnapshotInput(StateMachine.SnapshotSource source) {
        this.source = source;
    }

    int readInt() {
        require(Integer.BYTES);
        return buffer.getInt();
    }

    long readLong() {
        require(Long.BYTES);
        return buffer.getLong();
    }

    /** Reads a length-prefixed byte string of at most {@code lengthMax} bytes. */
    byte[] readByteString(int lengthMax, String what) {
        int length = readInt();
        if (length < 0 || length > lengthMax) {
            throw new IllegalStateException("snapshot holds a " + what + " of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        int copied = Math.min(length, buffer.remaining());
        buffer.get(bytes, 0, copied);
        // What the buffer does not hold is read straight into the array.
        while (copied < length) {
            int read = readSource(bytes, copied, length - copied);
            if (read < 0) {
                throw new IllegalStateException("snapshot ends inside a " + what);
            }
            copied += read;
        }
        return bytes;
    }

    /** How many bytes of the snapshot have been parsed so far. */
    long offset() {
        return sourceBytes - buffer.remaining();
    }

    /** Checks that the source has no byte left, reading it to its end (which lets a file source close itself). */
    void expectEnd() {
        if (buffer.hasRemaining() || readSource(new byte[1], 0, 1) >= 0) {
            throw new IllegalStateException("snapshot has bytes after its end marker");
        }
    }

    private void require(int bytes) {
        if (buffer.remaining() >= bytes) {
            return;
        }
        buffer.compact();
        while (buffer.position() < bytes) {
            int read = readSource(buffer.array(), buffer.position(), buffer.remaining());
            if (read < 0) {
                buffer.flip();
                throw new IllegalStateException("snapshot ends early");
            }
            buffer.position(buffer.position() + read);
        }
        buffer.flip();
    }

    private int readSource(byte[] target, int offset, int length) {
        if (sourceEnded) {
            return -1;
        }
        for (int emptyReads = 0; emptyReads < EMPTY_READS_MAX; emptyReads++) {
            int read = source.read(target, offset, length);
            if (read != 0) {
                sourceEnded = read < 0;
                sourceBytes += Math.max(read, 0);
                return read;
            }
        }
        throw new IllegalStateException("snapshot source returned no bytes " + EMPTY_READS_MAX + " times in a row");
    }
}
