package io.synod.server;

import io.synod.replica.SnapshotPolicy;
import io.synod.storage.Disk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Real {@link SynodServer}s in the test JVM, on 127.0.0.1 with ports that were free a moment ago, each with its own
 * data dir under a test's temporary directory. Close it to stop every node.
 */
final class LocalCluster implements AutoCloseable {
    private final Path root;
    private final UnaryOperator<ServerConfig> tweak;
    private final int size;
    private final List<ServerConfig> configs = new ArrayList<>();
    private final SynodServer[] servers;

    private LocalCluster(Path root, int size, UnaryOperator<ServerConfig> tweak) {
        this.root = root;
        this.size = size;
        this.tweak = tweak;
        this.servers = new SynodServer[size];
    }

    /** Starts {@code size} nodes (ids 0..size-1), each config passed through {@code tweak}. */
    static LocalCluster start(Path root, int size, UnaryOperator<ServerConfig> tweak) throws IOException {
        return start(root, size, size, tweak);
    }

    /** A cluster of {@code size} members of which only the first {@code running} are started. */
    static LocalCluster start(Path root, int size, int running, UnaryOperator<ServerConfig> tweak)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            LocalCluster cluster = new LocalCluster(root.resolve("attempt-" + attempt), size, tweak);
            try {
                cluster.configure();
                for (int i = 0; i < running; i++) {
                    cluster.startNode(i);
                }
                return cluster;
            } catch (BindException taken) {
                cluster.close();
                if (attempt == 3) {
                    throw taken;
                }
            }
        }
    }

    static LocalCluster start(Path root, int size) throws IOException {
        return start(root, size, config -> config);
    }

    private void configure() {
        int[] ports = freePorts(2 * size);
        Map<Integer, InetSocketAddress> peers = new HashMap<>();
        for (int i = 0; i < size; i++) {
            peers.put(i, new InetSocketAddress("127.0.0.1", ports[2 * i]));
        }
        for (int i = 0; i < size; i++) {
            ServerConfig defaults = ServerConfig.of(i, peers, new InetSocketAddress("127.0.0.1", ports[2 * i + 1]),
                    root.resolve("node-" + i));
            // Tests that want a master say so (withElection); the others run leaderless, every node proposing.
            configs.add(tweak.apply(defaults.withClusterId("test").withElection("none",
                    ServerConfig.LEASE_MS_DEFAULT, ServerConfig.MAX_DRIFT_MS_DEFAULT)));
        }
    }

    void startNode(int id) throws IOException {
        startNode(id, disk -> disk);
    }

    /** Starts node {@code id} with its disk seen through {@code diskWrapper} (a fault-injecting disk). */
    void startNode(int id, UnaryOperator<Disk> diskWrapper) throws IOException {
        if (servers[id] != null) {
            throw new IllegalStateException("node " + id + " is running");
        }
        servers[id] = SynodServer.start(configs.get(id), diskWrapper);
    }

    void stopNode(int id) {
        if (servers[id] != null) {
            servers[id].close();
            servers[id] = null;
        }
    }

    /**
     * Waits until every running node sees every other running node as reachable: until then a node may answer
     * 503 NO_QUORUM, at once, to a write.
     */
    void awaitConnected() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(20)).until(() -> {
                    for (int id = 0; id < size; id++) {
                        if (servers[id] == null) {
                            continue;
                        }
                        for (var peer : http(id).status().get("peers")) {
                            if (servers[peer.get("id").asInt()] != null && !peer.get("reachable").asBoolean()) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
    }

    boolean isRunning(int id) {
        return servers[id] != null;
    }

    int size() {
        return size;
    }

    /** The running server of node {@code id}, or null. */
    SynodServer server(int id) {
        return servers[id];
    }

    ServerConfig config(int id) {
        return configs.get(id);
    }

    String url(int id) {
        return configs.get(id).httpUrl();
    }

    InetSocketAddress httpAddress(int id) {
        return configs.get(id).http();
    }

    Http http(int id) {
        return new Http(url(id), ssl, token);
    }

    private volatile javax.net.ssl.SSLContext ssl;
    private volatile String token;

    /** How {@link #http} reaches the nodes from now on: HTTPS trusting {@code context} (null: plain), and a token. */
    void access(javax.net.ssl.SSLContext context, String bearer) {
        this.ssl = context;
        this.token = bearer;
    }

    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            try {
                stopNode(i);
            } catch (RuntimeException stopFailure) {
                servers[i] = null;
                System.err.println("node " + i + " did not stop cleanly: " + stopFailure);
            }
        }
    }

    /** Copies the record with the given timing and compaction settings. */
    static ServerConfig with(ServerConfig c, long snapshotEverySlots, long retainSlots, long requestTimeoutMs) {
        return c.withTimings(SnapshotPolicy.everySlots(snapshotEverySlots), retainSlots, requestTimeoutMs);
    }

    /** Ports that were free a moment ago on 127.0.0.1, all different. */
    static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
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
}
