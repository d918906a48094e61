package io.synod.server;

import static io.synod.server.KvApiTest.assertErrorShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.server.Http.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** 504 answers: a min-slot the node does not reach in time, and a write or read that cannot get a quorum. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TimeoutTest {
    private static final long TIMEOUT_MS = 1_000;

    @TempDir
    Path dir;

    @Test
    void aMinSlotNotReachedInTimeIs504AndTheNodeCarriesOn() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 1,
                config -> LocalCluster.with(config, 10_000, 10_000, TIMEOUT_MS))) {
            Http http = cluster.http(0);
            long slot = http.putOk("ms-a", "x");
            for (String target : new String[] {"/v1/kv/ms-a?min-slot=" + (slot + 1_000),
                    "/v1/kv/ms-a?consistency=stale&min-slot=" + (slot + 1_000),
                    "/v1/kv?prefix=ms-&min-slot=" + (slot + 1_000)}) {
                long started = System.nanoTime();
                Reply reply = http.get(target);
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(reply.status()).as(target).isEqualTo(504);
                assertErrorShape(reply, "TIMEOUT");
                assertThat(tookMs).as("it waited about the request timeout").isGreaterThanOrEqualTo(TIMEOUT_MS - 50)
                        .isLessThan(TIMEOUT_MS + 15_000);
            }
            assertThat(http.get("/v1/kv/ms-a?min-slot=" + slot).status()).isEqualTo(200);
            assertThat(http.putOk("ms-a", "y")).isGreaterThan(slot);
        }
    }

    @Test
    void withoutAQuorumAWriteIs504AndSaysItMayStillApply() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 3, 1,
                config -> LocalCluster.with(config, 10_000, 10_000, TIMEOUT_MS))) {
            Http http = cluster.http(0);
            Reply write = http.put("/v1/kv/nq-a", "x");
            assertThat(write.status()).as("%s", write).isEqualTo(504);
            assertThat(write.json().get("code").asText()).isIn("TIMEOUT", "OUTCOME_UNKNOWN");
            assertThat(write.json().size()).isEqualTo(2);
            assertThat(write.json().get("error").asText()).as("never 'failed' for a write that can still commit")
                    .doesNotContainIgnoringCase("failed").containsIgnoringCase("may");

            Reply delete = http.delete("/v1/kv/nq-a");
            assertThat(delete.status()).isEqualTo(504);

            Reply linearizable = http.get("/v1/kv/nq-a");
            assertThat(linearizable.status()).as("a linearizable read needs a quorum").isIn(503, 504);
            assertThat(linearizable.json().get("code").asText()).isIn("TIMEOUT", "NO_QUORUM");

            Reply stale = http.get("/v1/kv/nq-a?consistency=stale");
            assertThat(stale.status()).as("a stale read answers from the local replica").isEqualTo(404);
            assertThat(http.get("/v1/status").status()).isEqualTo(200);

            cluster.startNode(1);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> http.put("/v1/kv/nq-b", "after").status() == 200);
            assertThat(http.get("/v1/kv/nq-b").text()).isEqualTo("after");
            assertThat(cluster.http(1).get("/v1/kv/nq-b").text()).isEqualTo("after");
        }
    }
}
