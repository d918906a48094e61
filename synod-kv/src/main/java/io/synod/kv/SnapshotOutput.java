package io.synod.kv;

import io.synod.core.StateMachine;
import java.nio.ByteBuffer;

/**
 * Big-endian primitives and length-prefixed byte strings, buffered into a {@link StateMachine.SnapshotSink} in chunks
 * of {@value #BUFFER_BYTES} bytes so the sink sees few, large writes. Used by one thread, the one writing a snapshot.
 */
final class SnapshotOutput {
    static final int BUFFER_BYTES = 64 * 1024;

    private final StateMachine.SnapshotSink sink;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private long writtenBytes;

    SnapshotOutput(StateMachine.SnapshotSink sink) {
        this.sink = sink;
    }

    void writeInt(int value) {
        makeRoom(Integer.BYTES);
        buffer.putInt(value);
    }

    void writeLong(long value) {
        makeRoom(Long.BYTES);
        buffer.putLong(value);
    }

    /** Writes the length as an int, then the bytes. */
    void writeByteString(byte[] bytes) {
        writeInt(bytes.length);
        if (bytes.length <= buffer.remaining()) {
            buffer.put(bytes);
            return;
        }
        // A large value goes to the sink directly rather than through the buffer in pieces.
        flush();
        sink.write(bytes, 0, bytes.length);
        writtenBytes += bytes.length;
    }

    /** Hands whatever is buffered to the sink; call once at the end. */
    void flush() {
        if (buffer.position() > 0) {
            sink.write(buffer.array(), 0, buffer.position());
            writtenBytes += buffer.position();
            buffer.clear();
        }
    }

    /** Bytes handed to the sink so far. */
    long writtenBytes() {
        return writtenBytes;
    }

    private void makeRoom(int bytes) {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }
}
