package io.synod.net;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.synod.net.proto.Frame;
import java.util.List;

/**
 * Splits the byte stream of one connection into frames: a 4-byte big-endian length, then that many bytes of one
 * serialized {@link Frame}. Emits {@link InboundFrame}s.
 *
 * <p>Until {@link #handshakeDone()} the length may be at most {@code maxHandshakeFrameBytes}, so an unauthenticated
 * connection cannot make the node buffer a large frame; after it, at most {@code maxFrameBytes}. A length out of
 * bounds or bytes that do not parse raise one {@link BadFrameException}; every byte after it is discarded, so the
 * connection handler closes the connection with exactly one log line. Runs on the connection's event loop only.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    static final int LENGTH_PREFIX_BYTES = 4;
    /** The first byte of a TLS handshake record (a ClientHello): no Hello frame is that long. */
    private static final byte TLS_HANDSHAKE_RECORD = 0x16;

    /** The connection sent bytes that are not a valid frame. */
    static final class BadFrameException extends DecoderException {
        private static final long serialVersionUID = 1L;

        BadFrameException(String message) {
            super(message);
        }
    }

    private final int maxFrameBytes;
    private final int maxHandshakeFrameBytes;
    private boolean established;
    private boolean failed;

    FrameDecoder(int maxFrameBytes, int maxHandshakeFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
        this.maxHandshakeFrameBytes = maxHandshakeFrameBytes;
    }

    /** Lifts the length bound from the handshake's to the established connection's. */
    void handshakeDone() {
        established = true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < LENGTH_PREFIX_BYTES) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        int max = established ? maxFrameBytes : maxHandshakeFrameBytes;
        if (length < 0 || length > max) {
            throw fail("frame length " + Integer.toUnsignedString(length) + " is above the maximum of " + max
                    + (established ? "" : " before the handshake")
                    + (!established && in.getByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD
                            ? " (it looks like a TLS handshake: compare --tls-* on every node)" : ""));
        }
        if (in.readableBytes() < LENGTH_PREFIX_BYTES + length) {
            return; // wait for the rest of the frame
        }
        in.skipBytes(LENGTH_PREFIX_BYTES);
        Frame frame;
        try {
            frame = in.hasArray()
                    ? Frame.parser().parseFrom(in.array(), in.arrayOffset() + in.readerIndex(), length)
                    : Frame.parseFrom(in.nioBuffer(in.readerIndex(), length));
        } catch (InvalidProtocolBufferException e) {
            throw fail("unparsable frame of " + length + " bytes: " + e.getMessage());
        } finally {
            in.skipBytes(Math.min(length, in.readableBytes()));
        }
        out.add(new InboundFrame(frame, length));
    }

    private BadFrameException fail(String reason) {
        failed = true;
        return new BadFrameException(reason);
    }
}
