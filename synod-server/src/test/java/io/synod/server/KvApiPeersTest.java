package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.storage.DataDir;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the API says about peers comes from {@link Peers} alone, not from the transport: a fake one here, on a node of
 * a three-node cluster that is opened but never started (no threads, no sockets; the test thread is its loop thread).
 */
class KvApiPeersTest {
    /** Reachability and HTTP addresses the test sets. */
    private static final class FakePeers implements Peers {
        final Map<Integer, Boolean> reachable = new HashMap<>();
        final Map<Integer, String> http = new HashMap<>();

        @Override
        public boolean isReachable(int peer) {
            return reachable.getOrDefault(peer, false);
        }

        @Override
        public String httpUrl(int peer) {
            return http.get(peer);
        }
    }

    @TempDir
    Path dir;

    private final FakePeers peers = new FakePeers();
    private DataDir dataDir;
    private KvNode node;
    private KvApi api;

    private void open() throws Exception {
        Map<Integer, InetSocketAddress> members = new HashMap<>();
        for (int id = 0; id < 3; id++) {
            members.put(id, new InetSocketAddress("127.0.0.1", 7200 + id));
        }
        ServerConfig config = ServerConfig.of(0, members, new InetSocketAddress("127.0.0.1", 7100), dir);
        dataDir = DataDir.open(dir, config.clusterId(), 0);
        node = new KvNode(config, new NodeLoop("test-loop", 16), envelope -> { }, peers, new Metrics(0, () -> null, () -> 0),
                dataDir, dataDir.disk(), failure -> {
                    throw new AssertionError(failure);
                });
        node.open();
        api = new KvApi(node, peers);
    }

    @AfterEach
    void close() throws Exception {
        if (node != null) {
            node.close();
        }
        if (dataDir != null) {
            dataDir.close();
        }
    }

    private JsonNode status() throws Exception {
        Response response = api.status();
        assertThat(response.status()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }

    private static JsonNode peer(JsonNode status, int id) {
        for (JsonNode peer : status.get("peers")) {
            if (peer.get("id").asInt() == id) {
                return peer;
            }
        }
        throw new AssertionError("no peer " + id + " in " + status);
    }

    @Test
    void statusReportsEachPeerAsPeersSeesIt() throws Exception {
        open();
        peers.reachable.put(1, true);
        peers.http.put(1, "http://one.example:7101");

        JsonNode status = status();

        assertThat(status.get("peers")).hasSize(2);
        assertThat(peer(status, 1).get("reachable").asBoolean()).isTrue();
        assertThat(peer(status, 1).get("http").asText()).isEqualTo("http://one.example:7101");
        assertThat(peer(status, 2).get("reachable").asBoolean()).isFalse();
        assertThat(peer(status, 2).get("http").isNull()).isTrue();
        assertThat(status.get("majorityReachable").asBoolean()).as("itself and node 1 of 3").isTrue();
    }

    @Test
    void withNoPeerReachableTheNodeSaysItHasNoMajority() throws Exception {
        open();
        peers.reachable.put(1, true);
        assertThat(node.majorityReachable()).isTrue();

        peers.reachable.put(1, false);

        assertThat(node.majorityReachable()).isFalse();
        assertThat(status().get("majorityReachable").asBoolean()).isFalse();
        assertThat(peer(status(), 1).get("reachable").asBoolean()).isFalse();
    }
}
