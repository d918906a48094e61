package io.synod.core;

import static io.synod.core.TestCluster.ofType;
import static io.synod.core.TestCluster.to;
import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.message.Accept;
import io.synod.core.message.Prepare;
import io.synod.core.paxos.Proposer;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The proposer's rules in leader mode (seed 004 "Multi-Paxos"), on a hand-driven three-node cluster. */
class ProposerTest {

    @Test
    void leaderRunsPhaseOneOnceThenOneRoundTripPerSlot() {
        TestCluster cluster = new TestCluster(3);
        for (int i = 0; i < 10; i++) {
            cluster.propose(0, "cmd" + i);
            cluster.settle();
        }
        assertThat(cluster.sentOfType(Prepare.class)).hasSize(2); // one campaign, to the two peers
        assertThat(cluster.sentOfType(Accept.class)).hasSize(20); // one Accept per slot per peer
        assertThat(cluster.appliedPayloads(1)).containsExactly(
                "cmd0", "cmd1", "cmd2", "cmd3", "cmd4", "cmd5", "cmd6", "cmd7", "cmd8", "cmd9");
        assertThat(cluster.node(0).status().role()).isEqualTo(Role.LEADER);
    }

    @Test
    void newLeaderReproposesTheValueWithTheHighestBallot() {
        TestCluster cluster = new TestCluster(3);
        cluster.propose(0, "first");
        cluster.settle();
        // Node 0 proposes "second"; only node 1 hears the Accept, then node 0 dies.
        cluster.propose(0, "second");
        cluster.drop(to(2));
        cluster.deliver(to(1).and(ofType(Accept.class)));
        cluster.crash(0);
        cluster.drop(e -> true);

        // Node 2 takes over with nodes 1 and 2: it must find "second" in node 1's promise and re-propose it.
        cluster.propose(2, "third");
        cluster.settle();
        assertThat(cluster.appliedPayloads(2)).containsExactly("first", "second", "third");
        assertThat(cluster.appliedPayloads(1)).containsExactly("first", "second", "third");
    }

    @Test
    void holesFoundInPhaseOneAreFilledWithNoops() {
        TestCluster cluster = new TestCluster(3, b -> b.batching(1, 1 << 20));
        cluster.propose(0, "warm-up");
        cluster.settle();
        cluster.proposeAll(0, "a", "b");
        // Slot 1's Accept ("a") is lost everywhere; slot 2's ("b") reaches node 1. Then node 0 dies.
        cluster.deliver(to(1).and(e -> e.message() instanceof Accept accept && accept.slot() == 2));
        cluster.crash(0);
        cluster.drop(e -> true);

        cluster.propose(2, "c");
        cluster.settle();
        assertThat(cluster.applied.get(2)).extracting(LogEntry::slot).containsExactly(0L, 1L, 2L, 3L);
        assertThat(cluster.applied.get(2).get(1).value()).isEqualTo(Value.NOOP);
        assertThat(cluster.appliedPayloads(2)).containsExactly("warm-up", "b", "c");
    }

    @Test
    void aHigherBallotMakesTheLeaderStepDownAndItsCommandsAreNotLost() {
        TestCluster cluster = new TestCluster(3);
        cluster.propose(0, "x");
        cluster.settle();
        cluster.propose(1, "y");
        cluster.settle();
        assertThat(cluster.node(0).status().role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(1).status().role()).isEqualTo(Role.LEADER);

        // Node 0 gets a command while node 1 leads: it campaigns again (no master), and both commands land once.
        cluster.propose(0, "z");
        for (int i = 0; i < 20 && cluster.appliedPayloads(2).size() < 3; i++) {
            cluster.settle();
            cluster.advanceTime(200);
        }
        cluster.settle();
        assertThat(cluster.appliedPayloads(2)).containsExactly("x", "y", "z");
    }

    @Test
    void thePipelineWindowBoundsSlotsInFlight() {
        TestCluster cluster = new TestCluster(3, b -> b.pipelineWindow(4).batching(1, 1 << 20));
        cluster.propose(0, "warm-up");
        cluster.settle();
        cluster.sent.clear();
        cluster.proposeAll(0, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        Set<Long> slots = cluster.sentOfType(Accept.class).stream().map(Accept::slot).collect(Collectors.toSet());
        assertThat(slots).hasSize(4);
        cluster.settle();
        assertThat(cluster.appliedPayloads(1)).hasSize(11);
    }

    @Test
    void batchingPutsSeveralCommandsInOneSlotWithinItsBounds() {
        TestCluster cluster = new TestCluster(3, b -> b.batching(3, 1 << 20));
        cluster.propose(0, "warm-up");
        cluster.settle();
        cluster.proposeAll(0, "a", "b", "c", "d", "e", "f", "g");
        cluster.settle();
        assertThat(cluster.applied.get(1)).extracting(entry -> entry.value().commands().size())
                .containsExactly(1, 3, 3, 1);
        assertThat(cluster.appliedPayloads(1)).containsExactly("warm-up", "a", "b", "c", "d", "e", "f", "g");
    }

    @Test
    void whileItsOpenSlotsAreUndecidedNewCommandsGatherForTheNextSlot() {
        TestCluster cluster = new TestCluster(3, b -> b.openSlots(1).batching(3, 1 << 20));
        cluster.propose(0, "warm-up");
        cluster.settle();
        cluster.propose(0, "a"); // opens a slot at once: none was open
        cluster.propose(0, "b"); // one at a time while "a" is undecided
        cluster.propose(0, "c");
        cluster.propose(0, "d");
        cluster.propose(0, "e"); // b, c, d make a full batch: it opens a slot anyway; e waits
        assertThat(cluster.inFlight).filteredOn(e -> e.message() instanceof Accept)
                .extracting(e -> ((Accept) e.message()).value().commands().size()).containsOnly(1, 3);
        cluster.settle();
        assertThat(cluster.applied.get(1)).extracting(entry -> entry.value().commands().size())
                .containsExactly(1, 1, 3, 1);
        assertThat(cluster.appliedPayloads(1)).containsExactly("warm-up", "a", "b", "c", "d", "e");
    }

    @Test
    void withManyOpenSlotsAllowedEachCommandGetsItsOwnSlotAtOnce() {
        TestCluster cluster = new TestCluster(3, b -> b.pipelineWindow(8).openSlots(8).batching(3, 1 << 20));
        cluster.propose(0, "warm-up");
        cluster.settle();
        for (String payload : List.of("a", "b", "c", "d")) {
            cluster.propose(0, payload);
        }
        cluster.settle();
        assertThat(cluster.applied.get(1)).extracting(entry -> entry.value().commands().size())
                .containsExactly(1, 1, 1, 1, 1);
    }

    @Test
    void batchBytesBoundTheBatchButALargeCommandStillGetsASlot() {
        TestCluster cluster = new TestCluster(3, b -> b.batching(100, 64));
        cluster.propose(0, "warm-up");
        cluster.settle();
        cluster.proposeAll(0, "x".repeat(200), "small1", "small2");
        cluster.settle();
        assertThat(cluster.applied.get(1)).extracting(entry -> entry.value().commands().size())
                .containsExactly(1, 1, 2);
    }

    @Test
    void tooManyWaitingCommandsAreRejectedAtOnce() {
        TestCluster cluster = new TestCluster(3, b -> b.maxPendingCommands(2));
        cluster.drop(e -> true);
        cluster.proposeAll(1, "a", "b", "c");
        assertThat(cluster.rejections.get(1)).singleElement()
                .extracting(Ready.Rejection::reason).isEqualTo(Ready.Reason.OVERLOADED);
    }

    @Test
    void aLeaderCutOffFromItsQuorumKeepsRetryingAndFinishesAfterTheHeal() {
        TestCluster cluster = new TestCluster(3);
        cluster.propose(0, "a");
        cluster.settle();
        cluster.propose(0, "b");
        cluster.drop(e -> true);
        cluster.advanceTime(150);
        assertThat(cluster.sentOfType(Accept.class).stream().filter(a -> a.slot() == 1).count())
                .as("the Accept for slot 1 was sent again to both peers").isEqualTo(4);
        cluster.settle();
        assertThat(cluster.appliedPayloads(2)).containsExactly("a", "b");
    }
}
