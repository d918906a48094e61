package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.synod.core.message.CatchUpRequest;
import io.synod.core.message.Envelope;
import io.synod.core.message.Message;
import io.synod.core.message.SnapshotChunk;
import io.synod.net.TransportListener.DropReason;
import io.synod.net.proto.Frame;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real transports on loopback sockets. Each test says what it proves; every test closes what it starts (the
 * {@link #closeAll} hook closes whatever a failing test left open).
 */
class NettyTransportTest {
    private final Closer closer = new Closer();

    @BeforeAll
    static void generousTimeouts() {
        // Loaded 2-core CI machines: wait long, poll often. No assertion depends on a fixed sleep.
        Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
    }

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    private TestNode start(TransportConfig config) {
        return closer.later(TestNode.started(config));
    }

    private List<TestNode> startCluster(Map<Integer, InetSocketAddress> peers) {
        List<TestNode> nodes = new ArrayList<>();
        for (int id : peers.keySet().stream().sorted().toList()) {
            nodes.add(start(TestNode.config(id, peers)));
        }
        return nodes;
    }

    /** Proves: three nodes exchange messages in all six directions; each receives exactly, in order, what was sent. */
    @Test
    void threeNodesExchangeMessagesInAllDirections() {
        List<TestNode> nodes = startCluster(TestNode.peers(TestNode.freePorts(3)));
        TestNode.awaitFullyConnected(nodes);

        RandomMessages random = new RandomMessages(99);
        Map<String, List<Envelope>> expected = new HashMap<>();
        for (int round = 0; round < 300; round++) {
            for (TestNode from : nodes) {
                for (TestNode to : nodes) {
                    if (from != to) {
                        Envelope envelope = new Envelope(from.id, to.id, random.next());
                        expected.computeIfAbsent(from.id + "->" + to.id, k -> new ArrayList<>()).add(envelope);
                        from.transport.send(envelope);
                    }
                }
            }
        }
        // One large message too: a snapshot chunk of 8 MiB fits the default 64 MiB frame.
        byte[] big = new byte[8 << 20];
        new java.util.Random(5).nextBytes(big);
        Envelope chunk = new Envelope(1, 3, new SnapshotChunk(7, 0, big.length, big));
        expected.get("1->3").add(chunk);
        nodes.get(0).transport.send(chunk);

        for (TestNode to : nodes) {
            for (TestNode from : nodes) {
                if (from != to) {
                    List<Envelope> want = expected.get(from.id + "->" + to.id);
                    await().until(() -> to.receivedFrom(from.id).size() >= want.size());
                    assertThat(to.receivedFrom(from.id)).as("%d -> %d", from.id, to.id).isEqualTo(want);
                }
            }
        }
        for (TestNode node : nodes) {
            assertThat(node.listener.drops).as("drops at node %d", node.id).isEmpty();
            assertThat(node.listener.refusals).isEmpty();
            assertThat(node.listener.badFrames).isEmpty();
            assertThat(node.transport.peerHttpUrl(node.id)).isEqualTo("http://127.0.0.1:" + (18000 + node.id));
            for (TestNode other : nodes) {
                assertThat(node.transport.peerHttpUrl(other.id)).isEqualTo("http://127.0.0.1:" + (18000 + other.id));
            }
        }
        assertThat(nodes.get(0).transport.peerHttpUrl(42)).isNull();
    }

    /**
     * Proves: a node configured with another cluster id is refused by both peers it dials, the reason names the
     * cluster ids, nothing it sends is delivered, and the two good nodes are undisturbed.
     */
    @Test
    void peerWithWrongClusterIdIsRefusedAndDeliversNothing() {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(3));
        TestNode intruder = start(TestNode.config(1, "other-cluster", peers, b -> b));
        TestNode two = start(TestNode.config(2, peers));
        TestNode three = start(TestNode.config(3, peers));

        await().until(() -> two.transport.isConnected(3) && three.transport.isConnected(2));
        await().until(() -> !two.listener.refusals.isEmpty() && !three.listener.refusals.isEmpty());
        assertThat(two.listener.refusals.getFirst())
                .contains("node 1 is in cluster 'other-cluster', this node in 'test-cluster'");

        for (int i = 0; i < 100; i++) {
            intruder.transport.send(new Envelope(1, 2, new CatchUpRequest(i)));
            intruder.transport.send(new Envelope(1, 3, new CatchUpRequest(i)));
        }
        two.transport.send(new Envelope(2, 3, new CatchUpRequest(1)));
        await().until(() -> three.receivedFrom(2).size() == 1);

        assertThat(intruder.transport.isConnected(2)).isFalse();
        assertThat(two.transport.isConnected(1)).isFalse();
        assertThat(two.receivedFrom(1)).isEmpty();
        assertThat(three.receivedFrom(1)).isEmpty();
        assertThat(intruder.listener.drops(DropReason.NOT_CONNECTED)).isEqualTo(200);
        assertThat(two.transport.peerHttpUrl(1)).isNull();
    }

    /**
     * Proves: each Hello a node must refuse (another protocol version, an unknown node id, its own id, a higher id
     * that should have been dialed instead, a first frame that is not a Hello) closes that connection with a reason.
     */
    @Test
    void badHellosAreRefusedWithAReason() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(3));
        TestNode two = start(TestNode.config(2, peers));
        int port = peers.get(2).getPort();
        Map<Frame, String> cases = new java.util.LinkedHashMap<>();
        cases.put(RawPeer.hello(99, "test-cluster", 1), "protocol version 99");
        cases.put(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 9), "node 9 is not a member");
        cases.put(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 2), "this node's own id");
        cases.put(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 3), "node 3 has a higher id");
        cases.put(Frames.ping(), "not HELLO");

        int refused = 0;
        for (Map.Entry<Frame, String> badHello : cases.entrySet()) {
            try (RawPeer raw = RawPeer.connect(port)) {
                raw.writeFrame(badHello.getKey());
                assertThat(raw.awaitClosedByPeer()).as("closed after %s", badHello.getValue()).isTrue();
            }
            refused++;
            int expectedRefusals = refused;
            await().until(() -> two.listener.refusals.size() == expectedRefusals);
            assertThat(two.listener.refusals.getLast()).contains(badHello.getValue());
        }
        assertThat(two.inbox).isEmpty();
        assertThat(two.listener.connects.get()).isZero();
    }

    /**
     * Proves: garbage bytes, an oversized length prefix and an unparsable frame, each written from a plain socket,
     * close that socket only, with one bad-frame report each, while the real peers keep exchanging messages.
     */
    @Test
    void garbageAndOversizedFramesCloseOnlyThatConnection() throws IOException {
        List<TestNode> nodes = startCluster(TestNode.peers(TestNode.freePorts(3)));
        TestNode.awaitFullyConnected(nodes);
        TestNode two = nodes.get(1);
        int port = two.transport.config().listenAddress().getPort();
        List<byte[]> attacks = List.of(
                "GET / HTTP/1.1\r\nHost: synod\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3},
                new byte[] {0, 0, 0, 8, -1, -1, -1, -1, -1, -1, -1, -1});

        for (int i = 0; i < attacks.size(); i++) {
            try (RawPeer raw = RawPeer.connect(port)) {
                raw.writeRaw(attacks.get(i));
                assertThat(raw.awaitClosedByPeer()).as("attack %d closes the socket", i).isTrue();
            }
            int expected = i + 1;
            await().until(() -> two.listener.badFrames.size() + two.listener.refusals.size() == expected);
            TestNode.exchangeOneRound(nodes, i);
        }
        assertThat(two.listener.badFrames).hasSize(3);
        assertThat(two.listener.badFrames.get(0)).contains("above the maximum");
        assertThat(two.listener.badFrames.get(1)).contains("above the maximum");
        assertThat(two.listener.badFrames.get(2)).contains("unparsable");
        for (TestNode node : nodes) {
            assertThat(node.listener.disconnects.get()).as("node %d lost no peer", node.id).isZero();
            assertThat(node.listener.drops).isEmpty();
        }
    }

    /**
     * Proves: after the handshake, a frame above the maximum, and a message whose sender is not the connection's
     * peer, each close that connection and deliver nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"oversized", "wrong-sender", "wrong-receiver", "second-hello"})
    void misbehavingEstablishedPeerIsCutOff(String misbehaviour) throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(3));
        int maxFrameBytes = 64 << 10;
        TestNode two = start(TestNode.config(2, "test-cluster", peers, b -> b.maxFrameBytes(maxFrameBytes)));

        try (RawPeer one = RawPeer.connect(peers.get(2).getPort())) {
            one.writeFrame(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 1));
            assertThat(one.readFrame().getHello().getNodeId()).isEqualTo(2);
            await().until(() -> two.transport.isConnected(1));
            assertThat(two.transport.peerHttpUrl(1)).isEqualTo("http://raw:1");

            switch (misbehaviour) {
                case "oversized" -> one.writeRaw(new byte[] {0, 1, 0, 1}); // 65537 bytes announced
                case "wrong-sender" -> one.writeFrame(MessageCodec.encode(new Envelope(3, 2, new CatchUpRequest(1))));
                case "wrong-receiver" -> one.writeFrame(MessageCodec.encode(new Envelope(1, 3, new CatchUpRequest(1))));
                default -> one.writeFrame(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 1));
            }

            assertThat(one.awaitClosedByPeer()).isTrue();
        }
        await().until(() -> two.listener.disconnects.get() == 1);
        assertThat(two.transport.isConnected(1)).isFalse();
        assertThat(two.listener.badFrames).hasSize(1);
        assertThat(two.inbox).isEmpty();
    }

    /**
     * Proves: a second connection from the same peer that passes the handshake replaces the first, which is closed;
     * the peer stays connected throughout and messages go to the new connection.
     */
    @Test
    void duplicateConnectionReplacesTheOldOne() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode two = start(TestNode.config(2, peers));
        int port = peers.get(2).getPort();

        try (RawPeer first = RawPeer.connect(port); RawPeer second = RawPeer.connect(port)) {
            first.writeFrame(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 1));
            first.readFrame();
            await().until(() -> two.transport.isConnected(1));

            second.writeFrame(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 1));
            second.readFrame();
            assertThat(first.awaitClosedByPeer()).isTrue();

            two.transport.send(new Envelope(2, 1, new CatchUpRequest(77)));
            Frame frame = second.readFrame();
            while (frame.hasPing()) {
                frame = second.readFrame();
            }
            assertThat(MessageCodec.decode(frame)).isEqualTo(new Envelope(2, 1, new CatchUpRequest(77)));
            assertThat(two.transport.isConnected(1)).isTrue();
            assertThat(two.listener.connects.get()).isEqualTo(1);
            assertThat(two.listener.disconnects.get()).isZero();
        }
    }

    /**
     * Proves: when a peer stops and a new process starts on the same port, the pair reconnects by itself and
     * messages flow again both ways; for the dialing (lower id) and the accepting (higher id) side restarting.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void restartedPeerIsReconnectedAutomatically(int restartedId) {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode one = start(TestNode.config(1, peers));
        TestNode two = start(TestNode.config(2, peers));
        await().until(() -> one.transport.isConnected(2) && two.transport.isConnected(1));
        TestNode survivor = restartedId == 1 ? two : one;
        int survivorPeer = restartedId;

        (restartedId == 1 ? one : two).close();
        await().until(() -> !survivor.transport.isConnected(survivorPeer));
        await().until(() -> survivor.listener.disconnects.get() == 1);
        survivor.transport.send(new Envelope(survivor.id, survivorPeer, new CatchUpRequest(-1)));
        assertThat(survivor.listener.drops(DropReason.NOT_CONNECTED)).isEqualTo(1);

        TestNode restarted = start(TestNode.config(restartedId, peers));
        await().until(() -> survivor.transport.isConnected(survivorPeer) && restarted.transport.isConnected(survivor.id));
        survivor.transport.send(new Envelope(survivor.id, restartedId, new CatchUpRequest(1)));
        restarted.transport.send(new Envelope(restartedId, survivor.id, new CatchUpRequest(2)));

        await().until(() -> restarted.receivedFrom(survivor.id).size() == 1
                && survivor.receivedFrom(restartedId).size() == 1);
        assertThat(restarted.receivedFrom(survivor.id).getFirst().message()).isEqualTo(new CatchUpRequest(1));
        assertThat(survivor.receivedFrom(restartedId).getFirst().message()).isEqualTo(new CatchUpRequest(2));
        await().until(() -> survivor.listener.connects.get() == 2);
    }

    /**
     * Proves: sending to a peer that is down never blocks and drops every message, counted; sends to a non-member or
     * before start are dropped and counted too; a foreign sender id is a caller bug and throws.
     */
    @Test
    void sendingToADownPeerDropsWithoutBlocking() {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode one = closer.later(new TestNode(TestNode.config(1, peers)));
        one.transport.send(new Envelope(1, 2, new CatchUpRequest(0)));
        assertThat(one.listener.drops(DropReason.CLOSED)).isEqualTo(1);
        try {
            one.transport.start();
        } catch (IOException e) {
            throw new AssertionError(e);
        }

        int count = 100_000;
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int i = 0; i < count; i++) {
                one.transport.send(new Envelope(1, 2, new CatchUpRequest(i)));
            }
        });
        one.transport.send(new Envelope(1, 9, new CatchUpRequest(0)));

        assertThat(one.listener.drops(DropReason.NOT_CONNECTED)).isEqualTo(count);
        assertThat(one.listener.drops(DropReason.UNKNOWN_PEER)).isEqualTo(1);
        assertThat(one.transport.queuedMessages(2)).isZero();
        assertThat(one.transport.isConnected(2)).isFalse();
        assertThatThrownBy(() -> one.transport.send(new Envelope(2, 1, new CatchUpRequest(0))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Proves: when a connected peer stops reading, the outbound queue never holds more than its bound, sends beyond it
     * are dropped and counted as QUEUE_FULL without blocking, and every message is accounted for (sent, dropped or
     * queued); when the peer goes away, the queue is emptied as NOT_CONNECTED drops.
     */
    @Test
    void queueBoundHoldsWhenAPeerStopsReading() throws Exception {
        int[] ports = TestNode.freePorts(2);
        Map<Integer, InetSocketAddress> peers = TestNode.peers(ports);
        int bound = 50;
        ServerSocket stalledListener = closer.later(new ServerSocket(ports[1], 50, InetAddress.getLoopbackAddress()));
        CompletableFuture<RawPeer> stalled = CompletableFuture.supplyAsync(() -> {
            try {
                // Plays node 2: answers the handshake, then never reads again.
                RawPeer raw = new RawPeer(stalledListener.accept());
                raw.readFrame();
                raw.writeFrame(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 2));
                return raw;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        TestNode one = start(TestNode.config(1, "test-cluster", peers, b -> b.maxQueuedMessages(bound)));
        RawPeer two = closer.later(stalled.get(30, TimeUnit.SECONDS));
        await().until(() -> one.transport.isConnected(2));

        byte[] data = new byte[256 << 10];
        Message chunk = new SnapshotChunk(1, 0, data.length, data);
        int count = 2_000; // 500 MiB offered, far more than socket buffers and Netty's buffer can absorb
        int[] maxQueued = new int[1];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < count; i++) {
                one.transport.send(new Envelope(1, 2, chunk));
                maxQueued[0] = Math.max(maxQueued[0], one.transport.queuedMessages(2));
            }
        });

        assertThat(maxQueued[0]).isLessThanOrEqualTo(bound);
        assertThat(one.listener.drops(DropReason.QUEUE_FULL)).isPositive();
        await().until(() -> one.listener.sent.sum() + one.listener.drops(DropReason.QUEUE_FULL)
                + one.transport.queuedMessages(2) == count);

        two.close();
        await().until(() -> !one.transport.isConnected(2));
        await().until(() -> one.transport.queuedMessages(2) == 0);
        assertThat(one.listener.sent.sum() + one.listener.drops(DropReason.QUEUE_FULL)
                + one.listener.drops(DropReason.NOT_CONNECTED)).isEqualTo(count);
    }

    /**
     * Proves: an idle established connection carries Pings, a connection that stays silent past the idle timeout is
     * closed as dead, and a connection that never says Hello is closed after the handshake timeout.
     */
    @Test
    void silentConnectionsAreClosed() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode two = start(TestNode.config(2, "test-cluster", peers,
                b -> b.keepAlive(100, 1_500).handshakeTimeoutMs(500)));
        int port = peers.get(2).getPort();

        try (RawPeer mute = RawPeer.connect(port)) {
            assertThat(mute.awaitClosedByPeer()).isTrue();
        }
        await().until(() -> two.listener.refusals.size() == 1);
        assertThat(two.listener.refusals.getFirst()).contains("no Hello within 500 ms");

        try (RawPeer one = RawPeer.connect(port)) {
            one.writeFrame(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 1));
            assertThat(one.readFrame().hasHello()).isTrue();
            assertThat(one.readFrame().hasPing()).as("an idle connection carries Pings").isTrue();
            assertThat(one.awaitClosedByPeer()).as("a silent peer is cut off").isTrue();
        }
        await().until(() -> two.listener.disconnects.get() == 1);
        assertThat(two.transport.isConnected(1)).isFalse();
    }

    /**
     * Proves: a message whose frame would exceed the maximum is dropped as TOO_LARGE at the sender (the receiver would
     * have to cut the connection for it), and the connection carries on.
     */
    @Test
    void oversizedOutgoingMessageIsDroppedAtTheSender() {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        int maxFrameBytes = 64 << 10;
        TestNode one = start(TestNode.config(1, "test-cluster", peers, b -> b.maxFrameBytes(maxFrameBytes)));
        TestNode two = start(TestNode.config(2, "test-cluster", peers, b -> b.maxFrameBytes(maxFrameBytes)));
        await().until(() -> one.transport.isConnected(2));

        byte[] data = new byte[maxFrameBytes];
        one.transport.send(new Envelope(1, 2, new SnapshotChunk(1, 0, data.length, data)));
        one.transport.send(new Envelope(1, 2, new CatchUpRequest(5)));

        await().until(() -> two.receivedFrom(1).size() == 1);
        assertThat(two.receivedFrom(1).getFirst().message()).isEqualTo(new CatchUpRequest(5));
        assertThat(one.listener.drops(DropReason.TOO_LARGE)).isEqualTo(1);
        assertThat(two.listener.badFrames).isEmpty();
        assertThat(one.transport.isConnected(2)).isTrue();
    }

    /** Proves: start() fails fast with a BindException naming the address when the port is taken, leaking no thread. */
    @Test
    void startFailsFastWhenThePortIsTaken() throws IOException {
        ServerSocket occupier = closer.later(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Map<Integer, InetSocketAddress> peers = TestNode.peers(occupier.getLocalPort(), TestNode.freePorts(1)[0]);
        NettyTransport transport = closer.later(new NettyTransport(TestNode.config(1, peers), e -> {},
                TransportListener.NOOP));

        assertThatThrownBy(transport::start)
                .isInstanceOf(BindException.class)
                .hasMessageContaining("node 1 cannot listen for peers on 127.0.0.1:" + occupier.getLocalPort());
        await().until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("synod-net-1-")));
        assertThatThrownBy(transport::start).isInstanceOf(IllegalStateException.class);
    }

    /** Proves: close() releases the port at once, so a new transport can bind it; close is idempotent. */
    @Test
    void closeReleasesThePort() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode first = TestNode.started(TestNode.config(1, peers));
        first.close();
        first.close();

        TestNode second = start(TestNode.config(1, peers));
        try (Socket socket = new Socket("127.0.0.1", peers.get(1).getPort())) {
            assertThat(socket.isConnected()).isTrue();
        }
        assertThat(second.transport.isConnected(2)).isFalse();
    }
}
