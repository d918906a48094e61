package io.synod.server;

import static io.synod.server.KvApiTest.assertErrorShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.synod.server.Http.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that can see it cannot reach a majority answers writes and ordered reads {@code 503 NO_QUORUM} at once, with
 * Retry-After, and proposes nothing; stale reads keep working; once peers return, writes work again.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NoQuorumTest {
    /** Well under a second: the refusal must not wait for anything. */
    private static final long AT_ONCE_MS = 1_000;

    @TempDir
    Path dir;

    @Test
    void withTwoOfThreeNodesStoppedWritesAndOrderedReadsAre503AtOnceAndNothingIsProposed() throws Exception {
        // Proves the fast 503: no quorum is refused before proposing, stale reads answer, and the node recovers.
        try (LocalCluster cluster = LocalCluster.start(dir, 3)) {
            Http http = cluster.http(0);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> http.put("/v1/kv/nq-a", "before").status() == 200);
            long version = http.get("/v1/kv/nq-a?consistency=stale").etag();

            cluster.stopNode(1);
            cluster.stopNode(2);
            // The stopped nodes closed their sockets, so node 0 sees them go within moments.
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> !http.status().get("majorityReachable").asBoolean());
            JsonNode before = http.status();
            long committed = before.get("slots").get("committed").asLong();
            double proposals = StatusLogMetricsTest.sampleValue(http.get("/metrics").text(), "synod_proposals_total");

            assertRefusedAtOnce("PUT", () -> http.put("/v1/kv/nq-a", "during"));
            assertRefusedAtOnce("PUT if-none-match", () -> http.put("/v1/kv/nq-b", "during", "If-None-Match", "*"));
            assertRefusedAtOnce("DELETE", () -> http.delete("/v1/kv/nq-a"));
            assertRefusedAtOnce("keyed PUT", () -> http.put("/v1/kv/nq-c", "x", "Idempotency-Key", "nq-c-1"));
            assertRefusedAtOnce("GET", () -> http.get("/v1/kv/nq-a"));
            assertRefusedAtOnce("GET linearizable", () -> http.get("/v1/kv/nq-a?consistency=linearizable"));
            assertRefusedAtOnce("GET quorum", () -> http.get("/v1/kv/nq-a?consistency=quorum"));
            assertRefusedAtOnce("list", () -> http.get("/v1/kv?prefix=nq-"));

            Reply stale = http.get("/v1/kv/nq-a?consistency=stale");
            assertThat(stale.status()).as("a stale read answers from the local replica: %s", stale).isEqualTo(200);
            assertThat(stale.text()).isEqualTo("before");
            assertThat(stale.etag()).isEqualTo(version);
            assertThat(stale.header("X-Synod-Stale")).hasValue("true");
            assertThat(http.get("/v1/kv?prefix=nq-&consistency=stale").status()).isEqualTo(200);

            JsonNode after = http.status();
            assertThat(after.get("majorityReachable").asBoolean()).isFalse();
            for (JsonNode peer : after.get("peers")) {
                assertThat(peer.get("reachable").asBoolean()).as("%s", peer).isFalse();
            }
            assertThat(after.get("slots").get("committed").asLong()).as("nothing was proposed").isEqualTo(committed);
            assertThat(after.get("pendingCommands").asLong()).isZero();
            assertThat(http.get("/v1/log/" + committed).status()).as("no new slot holds anything").isEqualTo(404);
            assertThat(StatusLogMetricsTest.sampleValue(http.get("/metrics").text(), "synod_proposals_total"))
                    .as("no proposals were made").isEqualTo(proposals);

            cluster.startNode(1);
            cluster.startNode(2);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> http.put("/v1/kv/nq-a", "after").status() == 200);
            assertThat(http.status().get("majorityReachable").asBoolean()).isTrue();
            assertThat(http.get("/v1/kv/nq-a").text()).isEqualTo("after");
            assertThat(http.get("/v1/kv/nq-b").status()).as("the refused create was never applied").isEqualTo(404);
            assertThat(http.get("/v1/kv/nq-c").status()).isEqualTo(404);
            assertThat(http.put("/v1/kv/nq-c", "x", "Idempotency-Key", "nq-c-1").status())
                    .as("a refused keyed write can be retried").isEqualTo(200);
        }
    }

    @Test
    void aNodeThatNeverReachedItsPeersRefusesAtOnce() throws Exception {
        // Proves that a node started without a majority around it is 503 from the start, not after a timeout.
        try (LocalCluster cluster = LocalCluster.start(dir, 3, 1, config -> config)) {
            Http http = cluster.http(0);
            assertThat(http.status().get("majorityReachable").asBoolean()).isFalse();
            assertRefusedAtOnce("PUT", () -> http.put("/v1/kv/alone", "x"));
            assertRefusedAtOnce("GET", () -> http.get("/v1/kv/alone"));
            assertThat(http.get("/v1/kv/alone?consistency=stale").status()).isEqualTo(404);

            cluster.startNode(1);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> http.put("/v1/kv/alone", "with one peer").status() == 200);
            assertThat(cluster.http(1).get("/v1/kv/alone").text()).isEqualTo("with one peer");
        }
    }

    private static void assertRefusedAtOnce(String what, Supplier<Reply> request) {
        long started = System.nanoTime();
        Reply reply = request.get();
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(reply.status()).as("%s: %s", what, reply).isEqualTo(503);
        assertErrorShape(reply, "NO_QUORUM");
        assertThat(reply.header("Retry-After")).as(what).isPresent();
        assertThat(Long.parseLong(reply.header("Retry-After").orElseThrow())).isPositive();
        assertThat(reply.json().get("error").asText()).as("a refusal says nothing was done")
                .containsIgnoringCase("nothing was done");
        assertThat(tookMs).as("%s answered at once", what).isLessThan(AT_ONCE_MS);
    }
}
