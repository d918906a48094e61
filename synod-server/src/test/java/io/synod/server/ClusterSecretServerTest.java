package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * --cluster-secret-file through SynodServer: three real nodes in this JVM, two with the cluster's secret and one with
 * another; the two form a majority and serve, the third never becomes reachable to them.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterSecretServerTest {
    @TempDir
    Path dir;

    /** Proves: the secret file reaches the peer transport: the same secret connects, another one is refused. */
    @Test
    void nodesWithTheSecretServeAndANodeWithAnotherIsKeptOut() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "the cluster's own secret\n");
        Path other = Files.writeString(dir.resolve("other"), "somebody else's secret\n");
        try (LocalCluster cluster = LocalCluster.start(dir.resolve("nodes"), 3, config -> config.withSecurity(
                new ServerConfig.Security(null, config.nodeId() == 2 ? other : secret, null)))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> reachable(cluster.http(0).status(), 1) && reachable(cluster.http(1).status(), 0));
            cluster.http(0).putOk("k", "v");
            assertThat(cluster.http(1).get("/v1/kv/k?consistency=stale").text()).isEqualTo("v");
            for (int id = 0; id < 2; id++) {
                assertThat(reachable(cluster.http(id).status(), 2)).as("node %d reaches node 2", id).isFalse();
            }
            assertThat(reachable(cluster.http(2).status(), 0)).isFalse();
            assertThat(reachable(cluster.http(2).status(), 1)).isFalse();
        }
    }

    private static boolean reachable(JsonNode status, int peer) {
        for (JsonNode entry : status.get("peers")) {
            if (entry.get("id").asInt() == peer) {
                return entry.get("reachable").asBoolean();
            }
        }
        throw new AssertionError("no peer " + peer + " in " + status);
    }
}
