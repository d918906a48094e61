package io.synod.server;

import static io.synod.server.KvApiTest.assertErrorShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.server.Http.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/log/{slot}} answers 410 for slots compacted into a snapshot. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompactionTest {
    @TempDir
    static Path dir;

    static LocalCluster cluster;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 1, config -> LocalCluster.with(config, 5, 0, config.requestTimeoutMs()));
        http = cluster.http(0);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aCompactedSlotIs410AndTheStateSurvives() {
        for (int i = 0; i < 20; i++) {
            http.putOk("compact-" + i, "v" + i);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> http.status().get("slots").get("firstRetained").asLong() > 0);
        Reply compacted = http.get("/v1/log/0");
        assertThat(compacted.status()).isEqualTo(410);
        assertErrorShape(compacted, "COMPACTED");

        long firstRetained = http.status().get("slots").get("firstRetained").asLong();
        long committed = http.status().get("slots").get("committed").asLong();
        assertThat(http.get("/v1/log/" + (firstRetained - 1)).status()).isEqualTo(410);
        if (firstRetained < committed) {
            assertThat(http.get("/v1/log/" + firstRetained).status()).isEqualTo(200);
        }
        assertThat(http.get("/v1/log/" + (committed + 100)).status()).isEqualTo(404);
        for (int i = 0; i < 20; i++) {
            assertThat(http.get("/v1/kv/compact-" + i).text()).isEqualTo("v" + i);
        }
    }

    @Test
    void aRestartedNodeRecoversFromItsSnapshot() throws Exception {
        for (int i = 0; i < 12; i++) {
            http.putOk("restart-" + i, "r" + i);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> http.status().get("slots").get("firstRetained").asLong() >= 5);
        long applied = http.status().get("slots").get("applied").asLong();
        cluster.stopNode(0);
        cluster.startNode(0);
        http = cluster.http(0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> http.status().get("slots").get("applied").asLong() >= applied);
        for (int i = 0; i < 12; i++) {
            assertThat(http.get("/v1/kv/restart-" + i + "?consistency=stale").text()).isEqualTo("r" + i);
        }
        assertThat(http.get("/v1/log/0").status()).isEqualTo(410);
    }
}
