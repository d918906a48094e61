package io.synod.net;

import static org.awaitility.Awaitility.await;

import io.synod.core.message.CatchUpRequest;
import io.synod.core.message.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;

/** One transport under test with what it received and what its listener saw. */
final class TestNode implements AutoCloseable {
    final int id;
    final NettyTransport transport;
    final ConcurrentLinkedQueue<Envelope> inbox = new ConcurrentLinkedQueue<>();
    final RecordingListener listener = new RecordingListener();

    TestNode(TransportConfig config) {
        this.id = config.nodeId();
        this.transport = new NettyTransport(config, inbox::add, listener);
    }

    static TestNode started(TransportConfig config) {
        TestNode node = new TestNode(config);
        try {
            node.transport.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return node;
    }

    /** Messages received from {@code from}, in arrival order. */
    List<Envelope> receivedFrom(int from) {
        List<Envelope> result = new ArrayList<>();
        for (Envelope envelope : inbox) {
            if (envelope.from() == from) {
                result.add(envelope);
            }
        }
        return result;
    }

    @Override
    public void close() {
        transport.close();
    }

    /** Waits until every node of {@code nodes} is connected to every other. */
    static void awaitFullyConnected(List<TestNode> nodes) {
        await().until(() -> nodes.stream().allMatch(node -> nodes.stream()
                .allMatch(other -> other == node || node.transport.isConnected(other.id))));
    }

    /** Sends one {@code CatchUpRequest(marker)} in each direction between {@code nodes} and waits until all arrived. */
    static void exchangeOneRound(List<TestNode> nodes, long marker) {
        for (TestNode from : nodes) {
            for (TestNode to : nodes) {
                if (from != to) {
                    from.transport.send(new Envelope(from.id, to.id, new CatchUpRequest(marker)));
                }
            }
        }
        for (TestNode to : nodes) {
            for (TestNode from : nodes) {
                if (from != to) {
                    await().until(() -> to.receivedFrom(from.id).stream()
                            .anyMatch(e -> e.message().equals(new CatchUpRequest(marker))));
                }
            }
        }
    }

    /** Ports that were free a moment ago on 127.0.0.1 (each from its own ephemeral bind, so they differ). */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** A peer map of node ids 1..ports.length on 127.0.0.1. */
    static Map<Integer, InetSocketAddress> peers(int... ports) {
        Map<Integer, InetSocketAddress> peers = new HashMap<>();
        for (int i = 0; i < ports.length; i++) {
            peers.put(i + 1, InetSocketAddress.createUnresolved("127.0.0.1", ports[i]));
        }
        return peers;
    }

    /** A test configuration: fast reconnects, small thread pool, and whatever {@code tweak} changes. */
    static TransportConfig config(int nodeId, String clusterId, Map<Integer, InetSocketAddress> peers,
            UnaryOperator<TransportConfig.Builder> tweak) {
        TransportConfig.Builder builder = TransportConfig.builder(nodeId, clusterId, peers)
                .httpUrl("http://127.0.0.1:" + (18000 + nodeId))
                .reconnectBackoff(20, 500)
                .ioThreads(2);
        return tweak.apply(builder).build();
    }

    static TransportConfig config(int nodeId, Map<Integer, InetSocketAddress> peers) {
        return config(nodeId, "test-cluster", peers, b -> b);
    }
}
