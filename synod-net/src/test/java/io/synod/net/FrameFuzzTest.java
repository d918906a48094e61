package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.synod.core.message.Envelope;
import io.synod.net.proto.Frame;

/**
 * Fuzz targets for the peer wire: the frame decoder on arbitrary bytes in arbitrary chunks, and MessageCodec on
 * arbitrary frame bytes. Only {@link FrameDecoder.BadFrameException} and
 * {@link MessageCodec.MalformedMessageException} may escape; any other exception, a hang or an OOM is a finding.
 * Without {@code JAZZER_FUZZ} the kept inputs under {@code FrameFuzzTestInputs/} are replayed (docs/fuzzing.md).
 */
class FrameFuzzTest {
    private static final int MAX = 1 << 20;
    private static final int HANDSHAKE_MAX = 4096;

    /** Bytes in chunks of fuzzed sizes through a FrameDecoder; every frame it emits goes on to MessageCodec. */
    @FuzzTest(maxDuration = "10m")
    void frames(FuzzedDataProvider data) {
        FrameDecoder decoder = new FrameDecoder(MAX, HANDSHAKE_MAX);
        if (data.consumeBoolean()) {
            decoder.handshakeDone();
        }
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        try {
            while (data.remainingBytes() > 0) {
                byte[] chunk = data.consumeBytes(data.consumeInt(1, 64));
                try {
                    channel.writeInbound(Unpooled.wrappedBuffer(chunk));
                } catch (FrameDecoder.BadFrameException expected) {
                    // refused once; the decoder discards the rest, which the next chunks check
                }
                for (Object read = channel.readInbound(); read != null; read = channel.readInbound()) {
                    InboundFrame frame = (InboundFrame) read;
                    assertThat(frame.bytes()).isLessThanOrEqualTo(MAX);
                    decodeOrRefuse(frame.frame());
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Arbitrary bytes as a Frame: decode refuses or succeeds, and decode(encode(decode(f))) equals decode(f). */
    @FuzzTest(maxDuration = "10m")
    void codec(byte[] bytes) {
        Frame frame;
        try {
            frame = Frame.parseFrom(bytes);
        } catch (InvalidProtocolBufferException notAFrame) {
            return; // the frame decoder refuses these before MessageCodec sees them
        }
        decodeOrRefuse(frame);
    }

    private static void decodeOrRefuse(Frame frame) {
        Envelope envelope;
        try {
            envelope = MessageCodec.decode(frame);
        } catch (MessageCodec.MalformedMessageException refused) {
            return;
        }
        Envelope again = MessageCodec.decode(MessageCodec.encode(envelope));
        assertThat(again).isEqualTo(envelope);
    }
}
