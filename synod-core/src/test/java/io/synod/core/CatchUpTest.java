package io.synod.core;

import static io.synod.core.TestCluster.to;
import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.message.CatchUpReply;
import org.junit.jupiter.api.Test;

/** Catch-up from any single peer, no quorum needed (seed 001, "Catching up lagging nodes" and "Sample execution"). */
class CatchUpTest {

    @Test
    void seed001Scenario() {
        TestCluster cluster = new TestCluster(3);
        cluster.crash(2); // node 2 has never run
        cluster.drop(to(2));
        for (String command : new String[] {"li = []", "li += [1, 2]", "li += [3, 4]", "i = 0"}) {
            cluster.propose(0, command);
            cluster.settle();
        }
        assertThat(cluster.appliedPayloads(1)).containsExactly("li = []", "li += [1, 2]", "li += [3, 4]", "i = 0");

        // Node 0 goes away; node 2 comes up empty and catches up from node 1 alone (no majority is up).
        cluster.crash(0);
        cluster.drop(to(0));
        cluster.disks.get(2).clear();
        cluster.start(2);
        for (int i = 0; i < 5; i++) {
            cluster.advanceTime(300);
            cluster.drop(to(0));
            cluster.settle();
        }
        assertThat(cluster.appliedPayloads(2)).containsExactly("li = []", "li += [1, 2]", "li += [3, 4]", "i = 0");

        // A write through node 2 succeeds with nodes 1 and 2.
        cluster.propose(2, "i = 42");
        for (int i = 0; i < 10 && cluster.appliedPayloads(2).size() < 5; i++) {
            cluster.drop(to(0));
            cluster.settle();
            cluster.advanceTime(100);
        }
        assertThat(cluster.appliedPayloads(2)).endsWith("i = 42");

        // Node 0 comes back with its old log and converges.
        cluster.start(0);
        for (int i = 0; i < 5; i++) {
            cluster.advanceTime(300);
            cluster.settle();
        }
        for (int id = 0; id < 3; id++) {
            assertThat(cluster.appliedPayloads(id))
                    .as("node %d", id)
                    .containsExactly("li = []", "li += [1, 2]", "li += [3, 4]", "i = 0", "i = 42");
            assertThat(cluster.node(id).status().handedOut()).isEqualTo(5);
        }
    }

    @Test
    void catchUpComesInBoundedChunks() {
        TestCluster cluster = new TestCluster(3, b -> b.catchUpBounds(2, 1 << 20).batching(1, 1 << 20));
        cluster.crash(2);
        for (int i = 0; i < 9; i++) {
            cluster.propose(0, "c" + i);
            cluster.drop(to(2));
            cluster.settle();
        }
        cluster.drop(to(2));
        cluster.sent.clear();
        cluster.start(2);
        for (int i = 0; i < 5; i++) {
            cluster.advanceTime(300);
            cluster.settle();
        }
        assertThat(cluster.appliedPayloads(2)).hasSize(9);
        assertThat(cluster.sentOfType(CatchUpReply.class))
                .allSatisfy(reply -> assertThat(reply.entries().size()).isLessThanOrEqualTo(2))
                .filteredOn(reply -> !reply.entries().isEmpty())
                .hasSizeGreaterThanOrEqualTo(5);
    }
}
