package io.synod.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.synod.net.proto.Frame;
import io.synod.net.proto.Ping;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Builds the frames of the connection protocol and serializes frames with their length prefix. */
final class Frames {
    /** Version of the peer protocol; a peer with another version is refused. Raise it on any incompatible change. */
    static final int PROTOCOL_VERSION = 1;

    private static final Frame PING = Frame.newBuilder().setPing(Ping.getDefaultInstance()).build();

    private Frames() {}

    static Frame ping() {
        return PING;
    }

    /** {@code frame} as a 4-byte length followed by its {@code size} serialized bytes. */
    static ByteBuf toByteBuf(ByteBufAllocator allocator, Frame frame, int size) {
        ByteBuf buffer = allocator.ioBuffer(FrameDecoder.LENGTH_PREFIX_BYTES + size);
        try {
            buffer.writeInt(size);
            frame.writeTo(new ByteBufOutputStream(buffer));
        } catch (IOException e) {
            buffer.release();
            throw new UncheckedIOException("cannot serialize a frame into memory", e);
        }
        if (buffer.readableBytes() != FrameDecoder.LENGTH_PREFIX_BYTES + size) {
            buffer.release();
            throw new IllegalStateException("serialized frame is " + buffer.readableBytes() + " bytes, expected "
                    + (FrameDecoder.LENGTH_PREFIX_BYTES + size));
        }
        return buffer;
    }

    static ByteBuf toByteBuf(ByteBufAllocator allocator, Frame frame) {
        return toByteBuf(allocator, frame, frame.getSerializedSize());
    }
}
