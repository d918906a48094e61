package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that was down while the others compacted their logs catches up by fetching a snapshot from a peer, chunk by
 * chunk over the real peer transport, and then holds every write.
 */
class SnapshotTransferTest {
    @TempDir
    Path dir;

    @Test
    void aNodeBehindTheCompactedLogCatchesUpFromAPeersSnapshot() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3,
                config -> LocalCluster.with(config, 5, 0, config.requestTimeoutMs()))) {
            cluster.awaitConnected();
            Http first = cluster.http(0);
            first.putOk("early", "before the gap");
            cluster.stopNode(2);
            for (int i = 0; i < 60; i++) {
                first.putOk("key-" + i, "value-" + i);
            }
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> first.status().get("slots").get("firstRetained").asLong() > 10);

            cluster.startNode(2);
            Http late = cluster.http(2);
            long target = first.status().get("slots").get("committed").asLong();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(
                    () -> late.status().get("slots").get("applied").asLong() >= target);
            assertThat(late.status().get("slots").get("firstRetained").asLong())
                    .as("node 2 started from a snapshot, not from slot 0").isGreaterThan(0);
            assertThat(late.get("/v1/kv/early?consistency=stale").text()).isEqualTo("before the gap");
            for (int i = 0; i < 60; i++) {
                assertThat(late.get("/v1/kv/key-" + i + "?consistency=stale").text()).isEqualTo("value-" + i);
            }
        }
    }
}
