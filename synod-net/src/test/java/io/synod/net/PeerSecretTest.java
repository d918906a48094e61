package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.synod.core.message.CatchUpRequest;
import io.synod.core.message.Envelope;
import io.synod.net.proto.Frame;
import io.synod.net.proto.Hello;
import io.synod.net.proto.HelloProof;
import io.synod.net.tls.CertificateMaker;
import io.synod.net.tls.TlsFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cluster secret on real transports over loopback sockets: who knows it connects; who does not, who has another
 * one, and who replays a recorded handshake is refused with one log line, and nothing it sends is delivered.
 */
class PeerSecretTest {
    private static final ClusterSecret SECRET = ClusterSecret.of(bytes("correct horse battery staple"));
    private static final ClusterSecret OTHER = ClusterSecret.of(bytes("another cluster's secret"));
    private static final String COMPARE = "compare --cluster-secret-file on every node";

    private final Closer closer = new Closer();
    private final LogCapture log = closer.later(new LogCapture(NettyTransport.class));

    @TempDir
    Path dir;

    @BeforeAll
    static void generousTimeouts() {
        Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
    }

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private TestNode start(int id, Map<Integer, InetSocketAddress> peers, UnaryOperator<TransportConfig.Builder> tweak) {
        return closer.later(TestNode.started(TestNode.config(id, "test-cluster", peers, tweak)));
    }

    private TestNode start(int id, Map<Integer, InetSocketAddress> peers, ClusterSecret secret) {
        return start(id, peers, b -> b.clusterSecret(secret));
    }

    /** Waits until every pair is connected, sends one message each way between them and waits until each arrived. */
    private static void exchange(List<TestNode> nodes, long marker) {
        TestNode.awaitFullyConnected(nodes);
        TestNode.exchangeOneRound(nodes, marker);
    }

    /** Proves: three nodes with the same secret connect and exchange messages in all six directions. */
    @Test
    void nodesWithTheSameSecretConnect() {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(3));
        List<TestNode> nodes = List.of(start(1, peers, SECRET), start(2, peers, SECRET), start(3, peers, SECRET));
        exchange(nodes, 7);
        for (TestNode node : nodes) {
            assertThat(node.listener.refusals).isEmpty();
            assertThat(node.transport.peerHttpUrl(node.id == 1 ? 2 : 1)).startsWith("http://127.0.0.1:");
        }
        assertThat(nodes.getFirst().transport.config().toString()).contains("<secret>")
                .doesNotContain("correct horse");
    }

    /**
     * Proves: a node with another secret is refused by both good nodes: it rejects their answers as a dialer, nothing
     * it sends is delivered, and the good nodes keep talking. Fails if the dialer skipped checking the acceptor's proof.
     */
    @Test
    void aNodeWithAnotherSecretIsRefused() {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(3));
        TestNode intruder = start(1, peers, OTHER);
        TestNode two = start(2, peers, SECRET);
        TestNode three = start(3, peers, SECRET);
        exchange(List.of(two, three), 1);

        await().until(() -> intruder.listener.refusals.stream().anyMatch(r -> r.contains("node 2 did not prove"))
                && intruder.listener.refusals.stream().anyMatch(r -> r.contains("node 3 did not prove")));
        assertThat(intruder.listener.refusals).allMatch(r -> r.endsWith("did not prove the cluster secret: " + COMPARE));
        await().until(() -> intruder.listener.refusals.size() >= 6);
        assertThat(log.lines("node 1 refused the connection to peer 2 at 127.0.0.1:" + peers.get(2).getPort()
                + ": node 2 did not prove the cluster secret: " + COMPARE)).as("one line for a streak").hasSize(1);
        assertThat(log.lines("node 2: node 1 closed the connection from /127.0.0.1:")).singleElement().asString()
                .endsWith("instead of proving the cluster secret: it refused this node's answer (its log says why; "
                        + "most likely the two hold different secrets): " + COMPARE);
        for (int i = 0; i < 50; i++) {
            intruder.transport.send(new Envelope(1, 2, new CatchUpRequest(i)));
        }
        exchange(List.of(two, three), 2);
        assertThat(intruder.transport.isConnected(2)).isFalse();
        assertThat(intruder.transport.isConnected(3)).isFalse();
        assertThat(two.transport.isConnected(1)).isFalse();
        assertThat(two.receivedFrom(1)).isEmpty();
        assertThat(three.receivedFrom(1)).isEmpty();
        assertThat(two.listener.connects.get()).isEqualTo(1);
    }

    /**
     * Proves: a dialer that answers the acceptor's Hello with a HelloProof it cannot have computed (it does not know
     * the secret) is refused by the acceptor with one log line, and is not counted connected. Fails if the acceptor
     * skipped checking the dialer's proof.
     */
    @Test
    void aDialerWithoutTheSecretCannotProveIt() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode two = start(2, peers, SECRET);
        try (RawPeer raw = RawPeer.connect(peers.get(2).getPort())) {
            raw.writeFrame(helloWithNonce(1));
            Hello answer = raw.readFrame().getHello();
            assertThat(answer.getNonce().size()).isEqualTo(Handshake.NONCE_BYTES);
            assertThat(answer.getProof().size()).isEqualTo(32);
            raw.writeFrame(Frame.newBuilder().setHelloProof(HelloProof.newBuilder()
                    .setProof(ByteString.copyFrom(new byte[32]))).build());
            raw.writeFrame(MessageCodec.encode(new Envelope(1, 2, new CatchUpRequest(1))));
            assertThat(raw.awaitClosedByPeer()).isTrue();
        }
        await().until(() -> two.listener.refusals.size() == 1);
        assertThat(two.listener.refusals.getFirst()).isEqualTo("node 1 did not prove the cluster secret: " + COMPARE);
        assertThat(log.lines("node 2 refused the connection")).singleElement().asString()
                .contains("node 1 did not prove the cluster secret");
        assertThat(two.inbox).isEmpty();
        assertThat(two.listener.connects.get()).isZero();
    }

    private static Frame helloWithNonce(int nodeId) {
        Frame hello = RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", nodeId);
        byte[] nonce = new byte[Handshake.NONCE_BYTES];
        new java.security.SecureRandom().nextBytes(nonce);
        return hello.toBuilder().setHello(hello.getHello().toBuilder().setNonce(ByteString.copyFrom(nonce))).build();
    }

    /**
     * Proves: a secret on one side only is refused by the accepting side, whichever side has it, with one log line per
     * attempt that says to compare --cluster-secret-file; the pair never connects.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aSecretOnOneSideOnlyIsRefused(boolean dialerHasSecret) {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode one = start(1, peers, dialerHasSecret ? SECRET : null);
        TestNode two = start(2, peers, dialerHasSecret ? null : SECRET);
        String reason = dialerHasSecret
                ? "node 1 has a cluster secret and this node has none: " + COMPARE
                : "node 1 has no cluster secret and this node has one: " + COMPARE;

        await().until(() -> two.listener.refusals.size() >= 2);
        one.close();
        assertThat(two.listener.refusals).containsOnly(reason);
        assertThat(log.lines("node 2 refused the connection from /127.0.0.1:")).hasSameSizeAs(two.listener.refusals)
                .allMatch(line -> line.endsWith(": " + reason));
        assertThat(one.listener.connects.get()).isZero();
        assertThat(two.listener.connects.get()).isZero();
    }

    /**
     * Proves: the bytes a real dialer sent on a connection, recorded on the wire (Hello, HelloProof and a message) and
     * sent again on a new connection while the real one is up, are refused: the acceptor's fresh nonce makes the
     * recorded proof worthless, the recorded message is not delivered a second time, and the live connection is not
     * replaced. Fails if the acceptor reused a nonce or skipped the check.
     */
    @Test
    void aReplayedDialerHandshakeIsRefused() throws IOException {
        int[] ports = TestNode.freePorts(3);
        int relayPort = ports[2];
        Map<Integer, InetSocketAddress> peersOfOne = TestNode.peers(ports[0], relayPort);
        Map<Integer, InetSocketAddress> peersOfTwo = TestNode.peers(ports[0], ports[1]);
        RecordingRelay relay = closer.later(new RecordingRelay(relayPort, ports[1]));
        TestNode two = start(2, peersOfTwo, SECRET);
        TestNode one = start(1, peersOfOne, SECRET);
        await().until(() -> one.transport.isConnected(2) && two.transport.isConnected(1));
        one.transport.send(new Envelope(1, 2, new CatchUpRequest(42)));
        await().until(() -> two.receivedFrom(1).stream().anyMatch(e -> e.message().equals(new CatchUpRequest(42))));
        await().until(() -> relay.framesFromDialer().size() >= 3);
        List<byte[]> recorded = relay.framesFromDialer();
        int delivered = two.inbox.size();

        try (RawPeer replay = RawPeer.connect(ports[1])) {
            for (byte[] frame : recorded) {
                replay.writeRaw(frame);
            }
            assertThat(replay.awaitClosedByPeer()).isTrue();
        }
        await().until(() -> two.listener.refusals.size() == 1);
        assertThat(two.listener.refusals.getFirst()).isEqualTo("node 1 did not prove the cluster secret: " + COMPARE);
        assertThat(two.inbox).hasSize(delivered);
        // The live connection is untouched: a replay cannot replace it as a new connection of node 1 would.
        one.transport.send(new Envelope(1, 2, new CatchUpRequest(43)));
        await().until(() -> two.receivedFrom(1).stream().anyMatch(e -> e.message().equals(new CatchUpRequest(43))));
        assertThat(two.listener.connects.get()).isEqualTo(1);
        assertThat(two.listener.disconnects.get()).isZero();
    }

    /**
     * Proves: an accepting side's answer recorded on the wire and played back to a dialer by an impostor on the
     * dialed address is refused by that dialer (its fresh nonce makes the recorded proof worthless); the dialer sends
     * no HelloProof and never counts the impostor connected. Fails if the dialer skipped checking the proof.
     */
    @Test
    void aReplayedAcceptorAnswerIsRefusedByTheDialer() throws Exception {
        int[] ports = TestNode.freePorts(4);
        Map<Integer, InetSocketAddress> peersOfOne = TestNode.peers(ports[0], ports[2]);
        Map<Integer, InetSocketAddress> peersOfTwo = TestNode.peers(ports[0], ports[1]);
        RecordingRelay relay = closer.later(new RecordingRelay(ports[2], ports[1]));
        TestNode two = start(2, peersOfTwo, SECRET);
        TestNode one = start(1, peersOfOne, SECRET);
        await().until(() -> one.transport.isConnected(2));
        byte[] recordedAnswer = relay.framesFromAcceptor().getFirst();
        one.close();
        two.close();
        relay.close();

        ServerSocket impostorPort = closer.later(new ServerSocket(ports[3], 50, InetAddress.getLoopbackAddress()));
        CompletableFuture<Boolean> impostor = CompletableFuture.supplyAsync(() -> {
            try (RawPeer dialer = new RawPeer(impostorPort.accept())) {
                assertThat(dialer.readFrame().getHello().getNonce().size()).isEqualTo(Handshake.NONCE_BYTES);
                dialer.writeRaw(recordedAnswer);
                return dialer.awaitClosedByPeer(); // skips any frame; a HelloProof would show as a connection below
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        TestNode victim = start(1, TestNode.peers(ports[0], ports[3]), SECRET);
        assertThat(impostor.get(30, TimeUnit.SECONDS)).as("the dialer closed the connection").isTrue();
        await().until(() -> !victim.listener.refusals.isEmpty());
        assertThat(victim.listener.refusals.getFirst()).isEqualTo("node 2 did not prove the cluster secret: " + COMPARE);
        assertThat(victim.listener.connects.get()).isZero();
        assertThat(victim.transport.isConnected(2)).isFalse();
    }

    /** Proves: the secret and mutual TLS together: nodes with both connect and exchange messages. */
    @Test
    void secretAndTlsTogether() {
        CertificateMaker.writeCluster(dir, 2, List.of());
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        List<TestNode> nodes = new ArrayList<>();
        for (int id = 1; id <= 2; id++) {
            TlsFiles files = new TlsFiles(dir.resolve("node-" + id + ".crt"), dir.resolve("node-" + id + ".key"),
                    dir.resolve("ca.crt"));
            nodes.add(start(id, peers, b -> b.tls(files).clusterSecret(SECRET)));
        }
        exchange(nodes, 3);
        for (TestNode node : nodes) {
            assertThat(node.listener.refusals).isEmpty();
        }
        for (TestNode node : nodes) {
            assertThat(node.listener.connects.get()).as("node %d connected once", node.id).isEqualTo(1);
        }
    }
}
