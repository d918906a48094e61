package io.synod.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The benchmark's harness does what it claims: every command reaches every replica, and batching packs slots. */
class InMemoryClusterTest {

    @Test
    void everyCommandIsAppliedOnEveryReplica() {
        InMemoryCluster cluster = new InMemoryCluster(3, b -> b.batching(1, 1 << 20));
        cluster.proposeAndWait(0, 500, new byte[16]);
        cluster.runUntil(() -> cluster.applied(1) == 500 && cluster.applied(2) == 500);
        assertThat(cluster.appliedSlots(0)).isEqualTo(500);
    }

    @Test
    void batchingPutsManyCommandsInFewSlots() {
        InMemoryCluster cluster = new InMemoryCluster(3, b -> b.pipelineWindow(8).batching(1024, 1 << 20));
        cluster.proposeAndWait(0, 1, new byte[16]);
        cluster.proposeAndWait(0, 20_000, new byte[16]);
        assertThat(cluster.applied(0)).isEqualTo(20_001);
        assertThat(cluster.appliedSlots(0)).isLessThan(100);
    }
}
