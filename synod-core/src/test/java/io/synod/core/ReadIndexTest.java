package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.message.Accept;
import io.synod.core.message.Confirm;
import org.junit.jupiter.api.Test;

/** ReadIndex: reads ordered by one confirmation round to a majority, nothing written to the log. */
class ReadIndexTest {

    @Test
    void aLeaderConfirmsReadsWithOneRoundAndWritesNothing() {
        TestCluster cluster = new TestCluster(3);
        cluster.propose(0, "x = 1");
        cluster.settle();
        long committed = cluster.node(0).status().committed();
        int accepts = cluster.sentOfType(Accept.class).size();

        // Two reads that arrive together share one round; a third, while that round is in flight, waits for the next.
        cluster.node(0).step(cluster.now, new Input.ReadIndex(41));
        cluster.node(0).step(cluster.now, new Input.ReadIndex(42));
        cluster.step(0, Input.TICK);
        cluster.step(0, new Input.ReadIndex(43));
        cluster.settle();

        assertThat(cluster.readIndexes.get(0)).containsExactly(new Ready.ReadIndexed(41, committed),
                new Ready.ReadIndexed(42, committed), new Ready.ReadIndexed(43, committed));
        assertThat(cluster.sentOfType(Confirm.class)).as("two rounds, each to the two peers").hasSize(4);
        assertThat(cluster.sentOfType(Accept.class)).as("nothing written to the log").hasSize(accepts);
        assertThat(cluster.node(0).status().committed()).isEqualTo(committed);
    }

    @Test
    void aDeposedLeaderCannotConfirmAndTheReadWaitsForALeaderThatSeesTheNewWrites() {
        TestCluster cluster = new TestCluster(3);
        cluster.propose(0, "x = 1");
        cluster.settle();
        // Node 1 takes over while node 0 hears nothing: node 0 still believes it leads.
        cluster.drop(TestCluster.to(0));
        cluster.propose(1, "x = 2");
        for (int i = 0; i < 50; i++) {
            cluster.deliver(e -> e.to() != 0);
            cluster.drop(TestCluster.to(0));
            cluster.advanceTime(20);
        }
        assertThat(cluster.node(1).status().role()).isEqualTo(Role.LEADER);
        long written = cluster.node(1).status().committed();
        assertThat(cluster.node(0).status().role()).isEqualTo(Role.LEADER);

        cluster.step(0, new Input.ReadIndex(7));
        cluster.settle();
        for (int i = 0; i < 100 && cluster.readIndexes.get(0).isEmpty(); i++) {
            cluster.advanceTime(20);
            cluster.settle();
        }
        // Refused by the acceptors that promised node 1, node 0 led again in a higher ballot before it answered,
        // with an index that covers node 1's write.
        assertThat(cluster.readIndexes.get(0)).hasSize(1);
        assertThat(cluster.readIndexes.get(0).get(0).index()).isGreaterThanOrEqualTo(written);
    }
}
