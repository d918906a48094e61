package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.synod.net.Handshake.Outcome;
import io.synod.net.proto.Frame;
import io.synod.net.proto.Hello;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Hello exchange as a state machine, without sockets: what each side answers, and that a proof binds every field
 * of both Hellos (a Hello changed in flight fails the proof). The socket-level refusals are in PeerSecretTest.
 */
class HandshakeTest {
    private static final ClusterSecret SECRET =
            ClusterSecret.of("sixteen bytes at least".getBytes(StandardCharsets.UTF_8));
    private final Random random = new SecureRandom();

    private Handshake side(int nodeId, boolean dialing, ClusterSecret secret) {
        TransportConfig config = TestNode.config(nodeId, "test-cluster", TestNode.peers(7001, 7002),
                b -> b.clusterSecret(secret));
        return new Handshake(config, dialing, hello -> null, random);
    }

    /** Proves: without a secret the exchange is the two Hellos of old, with no nonce and no proof on the wire. */
    @Test
    void withoutASecretTwoHellosEstablish() {
        Handshake dialer = side(1, true, null);
        Handshake acceptor = side(2, false, null);
        Frame hello = dialer.dialerHello();
        assertThat(hello.getHello().getNonce().isEmpty()).isTrue();
        Outcome.Established accepted = (Outcome.Established) acceptor.receive(hello);
        assertThat(accepted.peerId()).isEqualTo(1);
        assertThat(accepted.reply().getHello().getProof().isEmpty()).isTrue();
        Outcome.Established dialed = (Outcome.Established) dialer.receive(accepted.reply());
        assertThat(dialed.reply()).isNull();
        assertThat(dialed.peerId()).isEqualTo(2);
        assertThat(dialed.httpUrl()).isEqualTo("http://127.0.0.1:18002");
        assertThatThrownBy(() -> dialer.receive(accepted.reply())).isInstanceOf(IllegalStateException.class);
    }

    /** Proves: with a secret, Hello, Hello with proof, HelloProof; each side is established only after the proof. */
    @Test
    void withASecretThreeFramesEstablish() {
        Handshake dialer = side(1, true, SECRET);
        Handshake acceptor = side(2, false, SECRET);
        Frame hello = dialer.dialerHello();
        assertThat(hello.getHello().getNonce().size()).isEqualTo(Handshake.NONCE_BYTES);
        Frame answer = ((Outcome.Reply) acceptor.receive(hello)).reply();
        assertThat(acceptor.awaiting()).isEqualTo("HelloProof");
        assertThat(answer.getHello().getNonce()).isNotEqualTo(hello.getHello().getNonce());
        Outcome.Established dialed = (Outcome.Established) dialer.receive(answer);
        assertThat(dialed.reply().hasHelloProof()).isTrue();
        assertThat(acceptor.receive(dialed.reply()))
                .isEqualTo(new Outcome.Established(null, 1, "http://127.0.0.1:18001"));
    }

    /**
     * Proves: changing a field of either Hello in flight (URL, cluster id, protocol version, nonce) makes the proof
     * fail: the dialer refuses a changed answer, and an answer to a changed Hello of its own.
     */
    @ParameterizedTest
    @ValueSource(strings = {"url", "cluster", "version", "nonce"})
    void aProofBindsEveryField(String field) {
        UnaryOperator<Hello> tamper = hello -> switch (field) {
            case "url" -> hello.toBuilder().setHttpUrl("http://attacker:1").build();
            case "cluster" -> hello.toBuilder().setClusterId("test-clusteR").build();
            case "version" -> hello.toBuilder().setProtocolVersion(hello.getProtocolVersion() + 1).build();
            default -> {
                byte[] nonce = hello.getNonce().toByteArray();
                nonce[0] ^= 1;
                yield hello.toBuilder().setNonce(ByteString.copyFrom(nonce)).build();
            }
        };
        // The acceptor's answer changed on its way to the dialer.
        Handshake dialer = side(1, true, SECRET);
        Frame answer = ((Outcome.Reply) side(2, false, SECRET).receive(dialer.dialerHello())).reply();
        Outcome outcome = dialer.receive(Frame.newBuilder().setHello(tamper.apply(answer.getHello())).build());
        assertThat(outcome).isEqualTo(new Outcome.Refused("node 2 did not prove the cluster secret: compare "
                + "--cluster-secret-file on every node"));

        // The dialer's Hello changed on its way to the acceptor: the dialer's proof, over what it sent, fails.
        Handshake honest = side(1, true, SECRET);
        Handshake acceptor = side(2, false, SECRET);
        Frame sent = honest.dialerHello();
        Frame reply = ((Outcome.Reply) acceptor.receive(
                Frame.newBuilder().setHello(tamper.apply(sent.getHello())).build())).reply();
        // The acceptor's proof covers the Hello it received, not the one the dialer sent.
        assertThat(honest.receive(reply)).isEqualTo(new Outcome.Refused("node 2 did not prove the cluster secret: "
                + "compare --cluster-secret-file on every node"));
    }

    /**
     * Proves: the real accepting pipeline runs on an EmbeddedChannel (what a fuzz target drives): a Hello with a nonce
     * is answered with the acceptor's proof, a bogus HelloProof closes the channel with one refusal and no peer.
     */
    @Test
    void theRealPipelineRunsOnAnEmbeddedChannel() throws Exception {
        TransportConfig config = TestNode.config(2, "test-cluster", TestNode.peers(7001, 7002),
                b -> b.clusterSecret(SECRET));
        RecordingListener listener = new RecordingListener();
        NettyTransport transport = new NettyTransport(config, envelope -> {}, listener);
        EmbeddedChannel channel = new EmbeddedChannel(transport.initializer(null));
        channel.writeInbound(Frames.toByteBuf(channel.alloc(), side(1, true, SECRET).dialerHello()));
        ByteBuf answer = channel.readOutbound();
        answer.skipBytes(FrameDecoder.LENGTH_PREFIX_BYTES);
        assertThat(Frame.parseFrom(ByteBufUtil.getBytes(answer)).getHello().getProof().size()).isEqualTo(32);
        answer.release();
        channel.writeInbound(Frames.toByteBuf(channel.alloc(), Frame.newBuilder()
                .setHelloProof(io.synod.net.proto.HelloProof.newBuilder().setProof(ByteString.copyFrom(new byte[32])))
                .build()));
        assertThat(channel.isOpen()).isFalse();
        assertThat(listener.refusals).containsExactly("node 1 did not prove the cluster secret: compare "
                + "--cluster-secret-file on every node");
        assertThat(transport.isConnected(1)).isFalse();
        channel.finishAndReleaseAll();
    }

    /** Proves: frames out of place and nonces of the wrong size are refused with a reason, never an exception. */
    @Test
    void framesOutOfPlaceAreRefused() {
        assertThat(side(2, false, SECRET).receive(Frames.ping()))
                .isEqualTo(new Outcome.Refused("first frame is PING, not HELLO"));
        Handshake acceptor = side(2, false, SECRET);
        Frame hello = side(1, true, SECRET).dialerHello();
        Frame shortNonce = hello.toBuilder().setHello(hello.getHello().toBuilder()
                .setNonce(ByteString.copyFrom(new byte[8]))).build();
        assertThat(acceptor.receive(shortNonce))
                .isEqualTo(new Outcome.Refused("node 1 sent a nonce of 8 bytes, not 32"));
        Handshake waiting = side(2, false, SECRET);
        waiting.receive(hello);
        assertThat(waiting.receive(hello))
                .isEqualTo(new Outcome.Refused("node 1 sent HELLO where its HelloProof belongs"));
    }
}
