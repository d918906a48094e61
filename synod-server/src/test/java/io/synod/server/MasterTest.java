package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes with {@code --election paxoslease} and a short lease: a node that is not master forwards writes and
 * ordered reads to the master (or redirects with {@code --no-forward}), says so in {@code X-Synod-Master}, and
 * answers {@code 503 NO_MASTER} at once when there is no master to hand them to; the status names the master and its
 * lease; a master that stops cleanly hands over within about a round trip.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MasterTest {
    static final long LEASE_MS = 300;

    @TempDir
    Path dir;

    static LocalCluster start(Path dir, boolean forward) throws Exception {
        LocalCluster cluster = LocalCluster.start(dir, 3,
                config -> config.withElection("paxoslease", LEASE_MS, 50).withForward(forward));
        cluster.awaitConnected();
        return cluster;
    }

    /** Waits until every running node names one master, which says it is master; returns its id. */
    static int awaitMaster(LocalCluster cluster) {
        int[] master = {-1};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            int seen = -1;
            for (int id = 0; id < cluster.size(); id++) {
                if (!cluster.isRunning(id)) {
                    continue;
                }
                JsonNode status = cluster.http(id).status();
                if (status.get("master").isNull() || (seen >= 0 && seen != status.get("master").asInt())) {
                    return false;
                }
                seen = status.get("master").asInt();
            }
            if (seen < 0 || !cluster.isRunning(seen)) {
                return false;
            }
            master[0] = seen;
            return cluster.http(seen).status().get("role").asText().equals("master");
        });
        return master[0];
    }

    @Test
    void aFollowerForwardsWritesAndLinearizableReadsToTheMaster() throws Exception {
        try (LocalCluster cluster = start(dir, true)) {
            int master = awaitMaster(cluster);
            int follower = (master + 1) % 3;
            Http http = cluster.http(follower);
            Http.Reply put = http.put("/v1/kv/fwd-a", "one");
            assertThat(put.status()).as("%s", put).isEqualTo(200);
            assertThat(put.header("X-Synod-Master")).hasValue(Integer.toString(master));
            long version = put.json().get("version").asLong();

            Http.Reply read = http.get("/v1/kv/fwd-a");
            assertThat(read.status()).as("%s", read).isEqualTo(200);
            assertThat(read.text()).isEqualTo("one");
            assertThat(read.etag()).isEqualTo(version);
            assertThat(read.header("X-Synod-Master")).hasValue(Integer.toString(master));
            assertThat(read.header("X-Synod-Slot")).isPresent();

            Http.Reply quorum = http.get("/v1/kv/fwd-a?consistency=quorum");
            assertThat(quorum.status()).as("%s", quorum).isEqualTo(200);
            assertThat(quorum.header("X-Synod-Master")).hasValue(Integer.toString(master));

            // Conditions travel with the request: a stale If-Match fails on the master, with its ETag.
            Http.Reply stale = http.put("/v1/kv/fwd-a", "two", "If-Match", "\"" + (version + 100) + "\"");
            assertThat(stale.status()).as("%s", stale).isEqualTo(412);
            assertThat(stale.etag()).isEqualTo(version);
            assertThat(http.put("/v1/kv/fwd-a", "x", "If-None-Match", "*").status()).isEqualTo(412);
            Http.Reply deleted = http.delete("/v1/kv/fwd-a", "If-Match", "\"" + version + "\"");
            assertThat(deleted.status()).as("%s", deleted).isEqualTo(200);
            assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
            assertThat(http.get("/v1/kv/fwd-a").status()).isEqualTo(404);

            // A stale read stays on the follower: no master named, and it says it is stale.
            Http.Reply local = http.get("/v1/kv/fwd-a?consistency=stale");
            assertThat(local.header("X-Synod-Master")).isEmpty();
        }
    }

    @Test
    void anIdempotentRetryThroughAnotherNodeAnswersTheSame() throws Exception {
        try (LocalCluster cluster = start(dir, true)) {
            int master = awaitMaster(cluster);
            Http.Reply first = cluster.http((master + 1) % 3).put("/v1/kv/fwd-b", "paid", "Idempotency-Key", "k-1");
            Http.Reply again = cluster.http((master + 2) % 3).put("/v1/kv/fwd-b", "paid", "Idempotency-Key", "k-1");
            Http.Reply onMaster = cluster.http(master).put("/v1/kv/fwd-b", "paid", "Idempotency-Key", "k-1");
            assertThat(first.status()).as("%s", first).isEqualTo(200);
            assertThat(again.text()).isEqualTo(first.text());
            assertThat(onMaster.text()).isEqualTo(first.text());
            Http.Reply reused = cluster.http((master + 2) % 3).put("/v1/kv/other", "x", "Idempotency-Key", "k-1");
            assertThat(reused.status()).as("%s", reused).isEqualTo(422);
        }
    }

    @Test
    void withNoForwardAFollowerRedirectsToTheMaster() throws Exception {
        try (LocalCluster cluster = start(dir, false)) {
            int master = awaitMaster(cluster);
            Http http = cluster.http((master + 1) % 3);
            Http.Reply put = http.put("/v1/kv/fwd-c?x=1", "one");
            assertThat(put.status()).as("%s", put).isEqualTo(307);
            assertThat(put.header("Location")).hasValue(cluster.url(master) + "/v1/kv/fwd-c?x=1");
            assertThat(put.header("X-Synod-Master")).hasValue(Integer.toString(master));
            Http.Reply read = http.get("/v1/kv/fwd-c?consistency=linearizable");
            assertThat(read.status()).isEqualTo(307);
            assertThat(read.header("Location")).hasValue(cluster.url(master) + "/v1/kv/fwd-c?consistency=linearizable");
            assertThat(http.get("/v1/kv/fwd-c?consistency=stale").status()).isEqualTo(404);
            assertThat(cluster.http(master).put("/v1/kv/fwd-c", "one").status()).isEqualTo(200);
        }
    }

    @Test
    void aForwardedRequestIsNeverForwardedAgain() throws Exception {
        try (LocalCluster cluster = start(dir, true)) {
            int master = awaitMaster(cluster);
            Http.Reply put = cluster.http((master + 1) % 3).put("/v1/kv/fwd-d", "one", Forwarder.MARKER, "9");
            assertThat(put.status()).as("%s", put).isEqualTo(503);
            assertThat(put.json().get("code").asText()).isEqualTo("NO_MASTER");
            assertThat(put.header("Retry-After")).isPresent();
        }
    }

    @Test
    void theStatusNamesTheMasterAndItsLease() throws Exception {
        try (LocalCluster cluster = start(dir, true)) {
            int master = awaitMaster(cluster);
            JsonNode own = cluster.http(master).status();
            assertThat(own.get("role").asText()).isEqualTo("master");
            assertThat(own.get("election").asText()).isEqualTo("paxoslease");
            assertThat(own.get("masterHttp").asText()).isEqualTo(cluster.url(master));
            assertThat(own.get("lease").get("holder").asInt()).isEqualTo(master);
            // Renewed at half the lease, so the master always has some of it left (drift taken off).
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    cluster.http(master).status().get("lease").get("remainingMs").asLong() > 0);
            assertThat(own.get("lease").get("remainingMs").asLong()).isLessThanOrEqualTo(LEASE_MS);
            JsonNode other = cluster.http((master + 1) % 3).status();
            assertThat(other.get("role").asText()).isIn("follower", "candidate");
            assertThat(other.get("master").asInt()).isEqualTo(master);
            assertThat(other.get("masterHttp").asText()).isEqualTo(cluster.url(master));
            assertThat(other.get("lease").get("holder").asInt()).isEqualTo(master);
            assertThat(other.get("lease").get("remainingMs").asLong()).isZero();
            assertThat(other.get("ballot").asText()).isNotEmpty();
        }
    }

    @Test
    void withTheMasterGoneAndNoNewOneYetANodeAnswers503AtOnce() throws Exception {
        // Two of three: when the master stops, the last node cannot be master alone, so none comes.
        try (LocalCluster cluster = LocalCluster.start(dir, 3, 2,
                config -> config.withElection("paxoslease", LEASE_MS, 50))) {
            int master = awaitMaster(cluster);
            int other = 1 - master;
            assertThat(cluster.http(other).put("/v1/kv/fwd-e", "one").status()).isEqualTo(200);
            cluster.stopNode(master);
            for (String path : new String[] {"/v1/kv/fwd-e", "/v1/kv/fwd-e?consistency=quorum"}) {
                long started = System.nanoTime();
                Http.Reply read = cluster.http(other).get(path);
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(read.status()).as("%s", read).isEqualTo(503);
                assertThat(read.json().get("code").asText()).isIn("NO_MASTER", "NO_QUORUM");
                assertThat(read.header("Retry-After")).isPresent();
                assertThat(tookMs).as("answered at once").isLessThan(1_000);
            }
            long started = System.nanoTime();
            Http.Reply put = cluster.http(other).put("/v1/kv/fwd-e", "two");
            assertThat(put.status()).as("%s", put).isEqualTo(503);
            assertThat(put.header("Retry-After")).isPresent();
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(1_000);
        }
    }

    @Test
    void aMasterThatStopsCleanlyHandsOverWithinALease() throws Exception {
        try (LocalCluster cluster = start(dir, true)) {
            for (int round = 0; round < 3; round++) {
                int master = awaitMaster(cluster);
                int follower = (master + 1) % 3;
                cluster.http(follower).putOk("handover", "round " + round);
                long stopped = System.nanoTime();
                cluster.stopNode(master);
                int next = awaitMaster(cluster);
                long tookMs = (System.nanoTime() - stopped) / 1_000_000;
                System.out.println("clean stop of master " + master + ": node " + next + " master after "
                        + tookMs + " ms");
                assertThat(next).isNotEqualTo(master);
                assertThat(tookMs).as("a released lease need not run out").isLessThan(LEASE_MS);
                assertThat(cluster.http(follower).get("/v1/kv/handover").text()).isEqualTo("round " + round);
                cluster.startNode(master);
                cluster.awaitConnected();
            }
        }
    }
}
