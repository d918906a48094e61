package io.synod.core.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.Command;
import io.synod.core.NodeConfig;
import io.synod.core.Role;
import io.synod.core.message.ElectionMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * An election knows its own command by its request id, not by its payload: a restarted node proposes the same
 * payloads again (the same version, the same term number), and one of its earlier run's commands, learned late, must
 * not start a term of the new run (found by simulation seed 319: a restarted node took its old BeMaster for its new
 * one and held a term while another node's term was live).
 */
class OwnElectionCommandTest {
    private static final long LEASE_MS = 1_000;

    /** The node's side of the election, for one election under test: proposals are recorded, not run. */
    private static final class FakeNode implements ElectionContext, LogView {
        final NodeConfig config = NodeConfig.builder(1, List.of(0, 1, 2)).lease(LEASE_MS, 100).build();
        final RandomGenerator random = new SplittableRandom(7);
        final List<Command> proposed = new ArrayList<>();
        Role role = Role.FOLLOWER;

        @Override public NodeConfig config() { return config; }
        @Override public RandomGenerator random() { return random; }
        @Override public LogView log() { return this; }
        @Override public void send(int to, ElectionMessage message) { }
        @Override public void broadcast(ElectionMessage message) { }
        @Override public void lead(long nowMs) { role = Role.LEADER; }
        @Override public void stepDown(long nowMs) { role = Role.FOLLOWER; }
        @Override public Role role() { return role; }

        @Override
        public boolean propose(long requestId, byte[] payload) {
            proposed.add(new Command(Command.Kind.ELECTION, 1, requestId, payload));
            return true;
        }

        @Override public long firstUnchosen() { return 0; }
        @Override public long handedOut() { return 0; }
        @Override public long highestKnownCommitted() { return 0; }
    }

    @Test
    void aBeMasterOfAnEarlierRunWithTheSamePayloadStartsNoTerm() {
        FakeNode node = new FakeNode();
        LogElection election = new LogElection(node);
        election.tick(0);
        election.tick(LEASE_MS + 1); // a full lease after start: it asks to become master
        assertThat(node.proposed).hasSize(1);
        Command ours = node.proposed.getFirst();
        node.role = Role.LEADER;
        election.onElected(LEASE_MS + 2);

        // The same payload from the same node, but another request: what this node proposed before it restarted.
        Command earlierRun = new Command(Command.Kind.ELECTION, 1, ours.requestId() + 1, ours.payload());
        election.onChosen(5, earlierRun, LEASE_MS + 3);
        assertThat(election.acceptsProposals(LEASE_MS + 3)).as("master through a BeMaster it did not send").isFalse();
        assertThat(election.mastership(LEASE_MS + 3).master()).isEqualTo(1); // every node sees node 1 named master
        assertThat(election.mastership(LEASE_MS + 3).localReadsUntilMs()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void itsOwnBeMasterChosenStartsItsTermFromWhenItWentOut() {
        FakeNode node = new FakeNode();
        LogElection election = new LogElection(node);
        election.tick(0);
        election.tick(LEASE_MS + 1);
        Command ours = node.proposed.getFirst();
        node.role = Role.LEADER;
        election.onElected(LEASE_MS + 2);
        election.onChosen(5, ours, LEASE_MS + 40);
        assertThat(election.acceptsProposals(LEASE_MS + 40)).isTrue();
        assertThat(election.acceptsProposals(2 * LEASE_MS + 1)).isTrue();
        assertThat(election.acceptsProposals(2 * LEASE_MS + 2)).as("the term runs from when it went out").isFalse();
    }
}
