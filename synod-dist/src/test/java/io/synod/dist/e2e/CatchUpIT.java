package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seed 001's scenario in key-value form: a node that was never up catches up from one peer alone while another is
 * dead, then takes writes; the dead node comes back and every node converges to the same state.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CatchUpIT extends ClusterTestBase {
    @Test
    void aNewNodeCatchesUpFromOnePeerAndEveryNodeConverges() {
        newCluster(3, List.of());
        cluster.start(0);
        cluster.start(1);
        NodeClient n0 = node(0);
        long last = -1;
        for (int i = 1; i <= 3; i++) {
            last = putEventually(n0, "seed/" + i, "value " + i, Duration.ofSeconds(30));
        }

        cluster.kill(0);
        cluster.start(2);
        NodeClient n2 = node(2);
        // Node 2 never saw these writes; node 1 is the only peer it can learn them from.
        long upTo = last;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> n2.applied() > upTo);
        assertThat(listing(n2, "seed/")).containsExactly(Map.entry("seed/1", "value 1"),
                Map.entry("seed/2", "value 2"), Map.entry("seed/3", "value 3"));

        long written = putEventually(n2, "seed/4", "through node 2", Duration.ofSeconds(60));
        assertThat(written).isGreaterThan(last);
        NodeClient.Reply read = n2.get("/v1/kv/seed/4");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text()).isEqualTo("through node 2");
        assertThat(node(1).get("/v1/kv/seed/4?consistency=stale&min-slot=" + written).text())
                .isEqualTo("through node 2");

        cluster.start(0);
        long applied = awaitSameApplied(List.of(0, 1, 2), Duration.ofSeconds(60));
        assertThat(applied).isGreaterThan(written);
        Map<String, String> expected = Map.of("seed/1", "value 1", "seed/2", "value 2", "seed/3", "value 3",
                "seed/4", "through node 2");
        Map<String, String> first = listing(node(0), "");
        assertThat(first).containsExactlyInAnyOrderEntriesOf(expected);
        for (int id = 1; id < 3; id++) {
            assertThat(listing(node(id), "")).as("node %d", id).containsExactlyEntriesOf(first);
        }
        for (int id = 0; id < 3; id++) {
            assertThat(node(id).applied()).as("node %d, converged", id).isEqualTo(applied);
        }

        // A clean stop (SIGTERM) and a restart keep everything too.
        cluster.stop(1);
        assertThat(cluster.log(1)).contains("node 1 stopped");
        long whileStopped = putEventually(node(0), "seed/5", "while node 1 was stopped", Duration.ofSeconds(60));
        cluster.start(1);
        NodeClient.Reply onRestarted = node(1).get("/v1/kv/seed/5?consistency=stale&min-slot=" + whileStopped);
        assertThat(onRestarted.status()).isEqualTo(200);
        assertThat(onRestarted.text()).isEqualTo("while node 1 was stopped");
        awaitSameApplied(List.of(0, 1, 2), Duration.ofSeconds(60));
        Map<String, String> end = listing(node(0), "");
        assertThat(end).hasSize(5);
        for (int id = 1; id < 3; id++) {
            assertThat(listing(node(id), "")).as("node %d", id).isEqualTo(end);
        }
    }
}
