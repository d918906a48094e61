package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.synod.core.message.Envelope;
import io.synod.net.proto.Frame;
import org.junit.jupiter.api.Test;

/** Proves the frame decoder reassembles split frames and refuses bad lengths and bytes once, then discards. */
class FrameDecoderTest {
    private static final int MAX = 1 << 20;
    private static final int HANDSHAKE_MAX = 1024;

    @Test
    void reassemblesFramesDeliveredOneByteAtATime() {
        FrameDecoder decoder = new FrameDecoder(MAX, HANDSHAKE_MAX);
        decoder.handshakeDone();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        RandomMessages random = new RandomMessages(7);
        Envelope first = new Envelope(1, 2, random.next());
        Envelope second = new Envelope(1, 2, random.next());
        ByteBuf wire = Unpooled.buffer();
        wire.writeBytes(Frames.toByteBuf(Unpooled.buffer().alloc(), MessageCodec.encode(first)));
        wire.writeBytes(Frames.toByteBuf(Unpooled.buffer().alloc(), MessageCodec.encode(second)));

        while (wire.isReadable()) {
            channel.writeInbound(wire.readRetainedSlice(1));
        }
        wire.release();

        InboundFrame one = channel.readInbound();
        InboundFrame two = channel.readInbound();
        assertThat(MessageCodec.decode(one.frame())).isEqualTo(first);
        assertThat(MessageCodec.decode(two.frame())).isEqualTo(second);
        assertThat((Object) channel.readInbound()).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void handshakeBoundIsSmallerThanTheEstablishedBound() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX, HANDSHAKE_MAX));
        ByteBuf length = Unpooled.buffer().writeInt(HANDSHAKE_MAX + 1);

        assertThatThrownBy(() -> channel.writeInbound(length))
                .isInstanceOf(FrameDecoder.BadFrameException.class)
                .hasMessageContaining("before the handshake");
        channel.finishAndReleaseAll();
    }

    @Test
    void refusesAnOversizedOrNegativeLengthOnceAndDiscardsTheRest() {
        FrameDecoder decoder = new FrameDecoder(MAX, HANDSHAKE_MAX);
        decoder.handshakeDone();
        EmbeddedChannel channel = new EmbeddedChannel(decoder);

        assertThatThrownBy(() -> channel.writeInbound(Unpooled.buffer().writeInt(-1)))
                .isInstanceOf(FrameDecoder.BadFrameException.class)
                .hasMessageContaining("4294967295");
        // Whatever follows is discarded without a second error.
        Frame ping = Frames.ping();
        channel.writeInbound(Frames.toByteBuf(Unpooled.buffer().alloc(), ping));
        assertThat((Object) channel.readInbound()).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void refusesUnparsableBytes() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX, HANDSHAKE_MAX));
        ByteBuf garbage = Unpooled.buffer().writeInt(8).writeLong(-1L); // eight 0xFF bytes: a truncated varint

        assertThatThrownBy(() -> channel.writeInbound(garbage))
                .isInstanceOf(FrameDecoder.BadFrameException.class)
                .hasMessageContaining("unparsable");
        channel.finishAndReleaseAll();
    }
}
