package io.synod.server;

import static io.synod.server.KvApiTest.assertErrorShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.server.Http.Reply;
import io.synod.storage.Disk;
import io.synod.storage.ForwardingDisk;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 504 answers: a min-slot the node does not reach in time, and a write or read that was sent to peers that look alive
 * but do not answer (a node that can see it has no quorum answers 503 at once instead: {@link NoQuorumTest}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TimeoutTest {
    private static final long TIMEOUT_MS = 500;

    @TempDir
    Path dir;

    @Test
    void aMinSlotNotReachedInTimeIs504AndTheNodeCarriesOn() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(dir, 1,
                config -> LocalCluster.with(config, 10_000, 10_000, TIMEOUT_MS))) {
            Http http = cluster.http(0);
            long slot = http.putSlot("ms-a", "x");
            for (String target : new String[] {"/v1/kv/ms-a?min-slot=" + (slot + 1_000),
                    "/v1/kv/ms-a?consistency=stale&min-slot=" + (slot + 1_000),
                    "/v1/kv?prefix=ms-&min-slot=" + (slot + 1_000),
                    "/v1/kv/ms-a?consistency=stale&min-slot=" + Long.MAX_VALUE}) {
                long started = System.nanoTime();
                Reply reply = http.get(target);
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(reply.status()).as(target).isEqualTo(504);
                assertErrorShape(reply, "TIMEOUT");
                assertThat(tookMs).as("it waited about the request timeout").isGreaterThanOrEqualTo(TIMEOUT_MS - 50)
                        .isLessThan(TIMEOUT_MS + 15_000);
            }
            assertThat(http.get("/v1/kv/ms-a?min-slot=" + slot).status()).isEqualTo(200);
            assertThat(http.putSlot("ms-a", "y")).isGreaterThan(slot);
        }
    }

    @Test
    void aProposedWriteThatCannotFinishIs504AndSaysItMayStillApply() throws Exception {
        // Proves that a write proposed to peers that are connected but cannot persist is answered 504 "may still be
        // applied" within the request timeout, and that it may indeed be applied later.
        StallingDisk[] stalling = new StallingDisk[3];
        try (LocalCluster cluster = LocalCluster.start(dir, 3, 1,
                config -> LocalCluster.with(config, 10_000, 10_000, TIMEOUT_MS))) {
            for (int id = 1; id < 3; id++) {
                int node = id;
                cluster.startNode(id, real -> stalling[node] = new StallingDisk(real));
            }
            try {
                cluster.awaitConnected();
                Http http = cluster.http(0);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> http.put("/v1/kv/stall-before", "x").status() == 200);

                // The peers' fsyncs now block: their connections stay up and ping, but they accept nothing.
                stalling[1].stall();
                stalling[2].stall();
                assertThat(http.status().get("majorityReachable").asBoolean()).isTrue();
                long started = System.nanoTime();
                Reply write = http.put("/v1/kv/stall-a", "x");
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(write.status()).as("%s", write).isEqualTo(504);
                assertErrorShape(write, "TIMEOUT");
                assertThat(write.json().get("error").asText()).as("never 'failed' for a write that can still commit")
                        .doesNotContainIgnoringCase("failed").containsIgnoringCase("may still be applied");
                assertThat(tookMs).as("the service answered at the request timeout, not the HTTP backstop")
                        .isGreaterThanOrEqualTo(TIMEOUT_MS - 50).isLessThan(TIMEOUT_MS + HttpApi.LOOP_GRACE_MS);

                Reply delete = http.delete("/v1/kv/stall-b");
                assertThat(delete.status()).as("%s", delete).isEqualTo(504);
                assertThat(delete.json().get("error").asText()).containsIgnoringCase("may still be applied");

                Reply read = http.get("/v1/kv/stall-before");
                assertThat(read.status()).as("a read that cannot be ordered: %s", read).isEqualTo(504);
                assertErrorShape(read, "TIMEOUT");
                assertThat(http.get("/v1/kv/stall-before?consistency=stale").status()).isEqualTo(200);

                stalling[1].release();
                stalling[2].release();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                        assertThat(http.get("/v1/kv/stall-a?consistency=stale").text())
                                .as("the write that answered 504 was applied after all").isEqualTo("x"));
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> http.put("/v1/kv/stall-after", "y").status() == 200);
            } finally {
                for (StallingDisk disk : stalling) {
                    if (disk != null) {
                        disk.release();
                    }
                }
            }
        }
    }

    /** A real disk whose fsyncs block, while stalled, until released. */
    private static final class StallingDisk extends ForwardingDisk {
        private volatile CountDownLatch gate = new CountDownLatch(0);

        StallingDisk(Disk real) {
            super(real);
        }

        void stall() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        @Override
        protected void beforeForce(String file) throws IOException {
            try {
                gate.await();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while stalled");
            }
        }
    }
}
