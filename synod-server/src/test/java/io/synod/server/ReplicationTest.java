package io.synod.server;

import static io.synod.server.KvApiTest.keysOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.synod.server.Http.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Three real nodes in this JVM: what one node writes, the others read, with every consistency. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReplicationTest {
    @TempDir
    static Path dir;

    static LocalCluster cluster;
    static List<Http> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 3);
        for (int i = 0; i < 3; i++) {
            nodes.add(cluster.http(i));
        }
        awaitAllConnected();
    }

    /** Waits until every node has completed the handshake with every peer (after a start or restart). */
    static void awaitAllConnected() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            for (Http node : nodes) {
                for (JsonNode peer : node.status().get("peers")) {
                    assertThat(peer.get("reachable").asBoolean()).as("%s", peer).isTrue();
                }
            }
        });
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void statusListsThePeersWithTheirHttpAddresses() {
        awaitAllConnected();
        for (int i = 0; i < 3; i++) {
            JsonNode status = nodes.get(i).status();
            assertThat(status.get("id").asInt()).isEqualTo(i);
            List<Integer> ids = new ArrayList<>();
            for (JsonNode peer : status.get("peers")) {
                ids.add(peer.get("id").asInt());
                assertThat(peer.get("reachable").isBoolean()).isTrue();
                assertThat(peer.has("applied")).isTrue();
                assertThat(peer.get("http").asText()).isEqualTo(cluster.url(peer.get("id").asInt()));
            }
            int self = i;
            assertThat(ids).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.IntStream.range(0, 3).filter(id -> id != self).boxed().toList());
        }
    }

    @Test
    void peerGaugesReadNumbersAfterGarbageCollection() throws Exception {
        // Proves that the per-peer gauges are strongly held too: after collections they read 1 for a connected peer.
        awaitAllConnected();
        String text = StatusLogMetricsTest.scrapeAfterGc(nodes.get(0));
        assertThat(StatusLogMetricsTest.finiteGauges(text)).contains("synod_peer_connected", "synod_slots_applied");
        assertThat(text.lines().filter(line -> line.startsWith("synod_peer_connected{")).toList()).hasSize(2)
                .allSatisfy(line -> assertThat(line).endsWith(" 1.0"));
    }

    @Test
    void aWriteOnOneNodeIsReadOnEveryNodeWithEveryConsistency() {
        Http.Written written = nodes.get(0).putWritten("rep-a", "from node 0");
        for (int i = 0; i < 3; i++) {
            Http node = nodes.get(i);
            Reply minSlot = node.get("/v1/kv/rep-a?consistency=stale&min-slot=" + written.slot());
            assertThat(minSlot.status()).as("node %d", i).isEqualTo(200);
            assertThat(minSlot.text()).isEqualTo("from node 0");
            assertThat(minSlot.etag()).as("every node has the same version").isEqualTo(written.version());
            assertThat(minSlot.slotHeader()).isGreaterThanOrEqualTo(written.slot());
            assertThat(minSlot.header("X-Synod-Stale")).hasValue("true");
            for (String consistency : List.of("linearizable", "quorum")) {
                Reply read = node.get("/v1/kv/rep-a?consistency=" + consistency);
                assertThat(read.status()).as("node %d %s", i, consistency).isEqualTo(200);
                assertThat(read.text()).isEqualTo("from node 0");
                assertThat(read.etag()).isEqualTo(written.version());
                assertThat(read.header("X-Synod-Stale")).isEmpty();
            }
            Reply linearizable = node.get("/v1/kv/rep-a");
            assertThat(linearizable.text()).as("default consistency, node %d", i).isEqualTo("from node 0");
        }
    }

    @Test
    void linearizableReadsSeeAWriteAcknowledgedByAnotherNode() {
        for (int round = 0; round < 10; round++) {
            int writer = round % 3;
            int reader = (round + 1) % 3;
            String value = "round " + round;
            nodes.get(writer).putOk("rep-lin", value);
            Reply read = nodes.get(reader).get("/v1/kv/rep-lin");
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.text()).as("node %d reads what node %d acknowledged", reader, writer).isEqualTo(value);
        }
    }

    @Test
    void conditionalWritesAndDeletesSeeVersionsWrittenElsewhere() {
        long v1 = nodes.get(0).putOk("rep-cas", "one");
        Reply cas = nodes.get(1).put("/v1/kv/rep-cas", "two", "If-Match", "\"" + v1 + "\"");
        assertThat(cas.status()).isEqualTo(200);
        long v2 = cas.json().get("version").asLong();
        assertThat(v2).isGreaterThan(v1);
        Reply stale = nodes.get(2).put("/v1/kv/rep-cas", "three", "If-Match", "\"" + v1 + "\"");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.etag()).isEqualTo(v2);
        Reply create = nodes.get(2).put("/v1/kv/rep-cas", "four", "If-None-Match", "*");
        assertThat(create.status()).isEqualTo(412);

        Reply delete = nodes.get(2).delete("/v1/kv/rep-cas", "If-Match", "\"" + v2 + "\"");
        assertThat(delete.status()).isEqualTo(200);
        assertThat(delete.json().get("deleted").asBoolean()).isTrue();
        for (Http node : nodes) {
            assertThat(node.get("/v1/kv/rep-cas").status()).isEqualTo(404);
        }
    }

    @Test
    void anIdempotentRetryOnAnotherNodeIsNotAppliedAgain() {
        Reply first = nodes.get(0).put("/v1/kv/rep-idem", "v1", "Idempotency-Key", "rep-idem-1");
        assertThat(first.status()).isEqualTo(200);
        long version = first.json().get("version").asLong();
        long other = nodes.get(1).putOk("rep-idem", "overwritten");
        Reply retry = nodes.get(2).put("/v1/kv/rep-idem", "v1", "Idempotency-Key", "rep-idem-1");
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body()).as("answered as the first time").isEqualTo(first.body());
        Reply reused = nodes.get(1).delete("/v1/kv/rep-idem", "Idempotency-Key", "rep-idem-1");
        assertThat(reused.status()).as("the key is bound to its request on every node").isEqualTo(422);
        assertThat(other).isGreaterThan(version);
        for (Http node : nodes) {
            Reply read = node.get("/v1/kv/rep-idem");
            assertThat(read.text()).isEqualTo("overwritten");
            assertThat(read.etag()).isEqualTo(other);
        }
    }

    @Test
    void everyNodeListsTheSameItemsOnceConverged() {
        long last = 0;
        for (int i = 0; i < 9; i++) {
            last = nodes.get(i % 3).putSlot("rep-list/" + i, "v" + i);
        }
        List<List<String>> listings = new ArrayList<>();
        for (Http node : nodes) {
            JsonNode listing = node.get("/v1/kv?prefix=rep-list/&consistency=stale&min-slot=" + last).json();
            assertThat(listing.get("slot").asLong()).isGreaterThanOrEqualTo(last);
            listings.add(keysOf(listing));
        }
        assertThat(listings.get(0)).hasSize(9);
        assertThat(listings.get(1)).isEqualTo(listings.get(0));
        assertThat(listings.get(2)).isEqualTo(listings.get(0));
    }

    @Test
    void aStoppedNodeCatchesUpWhenItComesBack() throws Exception {
        cluster.stopNode(2);
        long last = 0;
        for (int i = 0; i < 5; i++) {
            last = nodes.get(i % 2).putSlot("rep-down/" + i, "v" + i);
        }
        cluster.startNode(2);
        Http restarted = cluster.http(2);
        nodes.set(2, restarted);
        Reply caughtUp = restarted.get("/v1/kv?prefix=rep-down/&consistency=stale&min-slot=" + last);
        assertThat(caughtUp.status()).as("%s", caughtUp).isEqualTo(200);
        assertThat(keysOf(caughtUp.json())).hasSize(5);
        awaitAllConnected(); // until it hears from a majority, a restarted node answers writes 503 NO_QUORUM
        assertThat(restarted.putSlot("rep-down/after", "x")).isGreaterThan(last);
    }
}
