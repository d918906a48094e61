package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.net.proto.Frame;
import io.synod.net.proto.Hello;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input through real processes: HTTP errors, and garbage and foreign Hellos on a node's peer port. Each gets its
 * documented handling (an error answer; a closed connection with one log line) and the cluster stays healthy.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BadInputIT extends ClusterTestBase {

    @Test
    void badRequestsAndForeignPeersAreTurnedAwayAndTheClusterStaysHealthy() throws Exception {
        newCluster(3, List.of());
        for (int id = 0; id < 3; id++) {
            cluster.start(id);
        }
        InetSocketAddress peerPort = cluster.peerAddress(1);
        // A connection that never says Hello is closed after the handshake timeout (5 s): open it first, check later.
        Socket silent = connect(peerPort);

        // ---- HTTP ----
        // A read of a missing key answers 404 only once the node can reach a majority (else 503 NO_QUORUM, at once).
        awaitPeersReachable();
        // ... and once there is a master to order it (else 503 NO_MASTER, at once).
        awaitMaster(Duration.ofSeconds(30));
        for (int id = 0; id < 3; id++) {
            NodeClient node = node(id);
            expectError(node.send("GET", "/v1/kv/", null), 400, "BAD_KEY");
            expectError(node.put("k".repeat(1025), "x"), 413, "KEY_TOO_LARGE");
            expectError(node.send("PUT", "/v1/kv/%FF%FE", new byte[] {1}), 400, "BAD_KEY");
            expectError(node.put("bad", "x", "If-Match", "abc"), 400, "BAD_IF_MATCH");
            expectError(node.put("bad", "x", "If-None-Match", "\"1\""), 400, "BAD_IF_NONE_MATCH");
            expectError(node.get("/v1/kv/bad?consistency=sometimes"), 400, "BAD_CONSISTENCY");
            expectError(node.get("/v1/kv/bad?min-slot=-3"), 400, "BAD_MIN_SLOT");
            expectError(node.get("/v1/kv?limit=0"), 400, "BAD_LIMIT");
            expectError(node.get("/nowhere"), 404, "NOT_FOUND");
            expectError(node.send("POST", "/v1/kv/bad", new byte[] {1}), 405, "METHOD_NOT_ALLOWED");
            expectError(node.send("DELETE", "/v1/status", null), 405, "METHOD_NOT_ALLOWED");
            expectError(node.get("/v1/kv/never-written"), 404, "NOT_FOUND");
        }

        // ---- the peer port ----
        // HTTP spoken to the peer port: the length prefix "GET " is far above the handshake frame limit.
        assertClosedWithoutAnswer(peerPort, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        // A small length prefix followed by bytes that are not a protobuf Frame.
        assertClosedWithoutAnswer(peerPort, new byte[] {0, 0, 0, 8, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        // A well-formed frame that is not a Hello.
        assertClosedWithoutAnswer(peerPort, frame(Frame.newBuilder()
                .setPing(io.synod.net.proto.Ping.getDefaultInstance()).build()));
        // A Hello from another cluster.
        assertClosedWithoutAnswer(peerPort, frame(hello("not-e2e", 0)));
        // A Hello from a node that is not a member, and one claiming the node's own id.
        assertClosedWithoutAnswer(peerPort, frame(hello("e2e", 7)));
        assertClosedWithoutAnswer(peerPort, frame(hello("e2e", 1)));
        // A Hello from a higher id than node 1: node 2 never dials node 1.
        assertClosedWithoutAnswer(peerPort, frame(hello("e2e", 2)));
        // Random bytes.
        byte[] noise = new byte[4096];
        new java.util.Random(7).nextBytes(noise);
        assertClosedWithoutAnswer(peerPort, noise);

        // The silent connection is closed by the handshake timeout.
        silent.setSoTimeout(30_000);
        assertThat(readAll(silent.getInputStream())).as("no Hello is sent to a silent connection").isEmpty();
        silent.close();

        String log = cluster.log(1);
        assertThat(log).contains("cluster 'not-e2e'");
        assertThat(log).contains("node 7 is not a member");
        assertThat(log).contains("bad frame");
        assertThat(log).contains("no Hello within");

        // ---- the cluster is still healthy ----
        assertThat(cluster.isRunning(0) && cluster.isRunning(1) && cluster.isRunning(2)).isTrue();
        awaitPeersReachable();
        for (int id = 0; id < 3; id++) {
            long slot = putEventually(node(id), "healthy/" + id, "ok " + id, Duration.ofSeconds(30));
            for (int reader = 0; reader < 3; reader++) {
                NodeClient.Reply read = node(reader).get("/v1/kv/healthy/" + id + "?min-slot=" + slot);
                assertThat(read.status()).isEqualTo(200);
                assertThat(read.text()).isEqualTo("ok " + id);
            }
        }
    }

    private void awaitPeersReachable() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class).untilAsserted(() -> {
                    for (int id = 0; id < 3; id++) {
                        node(id).status().get("peers").forEach(peer -> assertThat(
                                peer.get("reachable").asBoolean()).isTrue());
                    }
                });
    }

    private static void expectError(NodeClient.Reply reply, int status, String code) {
        assertThat(reply.status()).as("%s", reply).isEqualTo(status);
        assertThat(reply.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        assertThat(reply.json().get("code").asText()).isEqualTo(code);
        assertThat(reply.json().get("error").asText()).isNotBlank();
    }

    private static Frame hello(String clusterId, int nodeId) {
        return Frame.newBuilder().setHello(Hello.newBuilder().setProtocolVersion(1).setClusterId(clusterId)
                .setNodeId(nodeId).setHttpUrl("http://127.0.0.1:1")).build();
    }

    private static byte[] frame(Frame frame) {
        byte[] body = frame.toByteArray();
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 5_000);
        return socket;
    }

    /** Sends {@code bytes} to the peer port; the node must close the connection without sending anything. */
    private static void assertClosedWithoutAnswer(InetSocketAddress address, byte[] bytes) throws IOException {
        try (Socket socket = connect(address)) {
            socket.setSoTimeout(15_000);
            try {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            } catch (IOException closedWhileWriting) {
                return; // it closed the connection before taking everything: turned away
            }
            assertThat(readAll(socket.getInputStream())).as("the node answered nothing before closing").isEmpty();
        }
    }

    /** Reads until the other side closes; a reset counts as closed. Fails on a read timeout. */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("the node kept the connection open", stillOpen);
        } catch (IOException reset) {
            // closed with a reset
        }
        return out.toByteArray();
    }
}
