package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.election.Election;
import io.synod.core.election.ElectionContext;
import io.synod.core.election.Mastership;
import io.synod.core.message.ElectionMessage;
import io.synod.core.message.LeaseAccepted;
import io.synod.core.message.LeasePropose;
import io.synod.core.message.LeaseRelease;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves the election seam before the real elections exist: a small test-only election, driven through {@link Node},
 * that uses every capability the seam offers. It sends and answers messages of its own, wakes itself to renew, makes
 * its proposer lead with no client command waiting, publishes a lease, proposes a command of its own kind and hears it
 * chosen on every node (which the state machine never sees), and steps its proposer down.
 */
class ElectionSeamTest {
    private static final long LEASE_MS = 1_000;
    private static final long DRIFT_MS = 100;

    /**
     * Node {@code candidate} asks every member to grant it a lease; with a majority of grants it leads, proposes a
     * "term" command, and may read locally until its lease (timed from its request, less the drift) runs out. It renews
     * at half the lease. At {@code resignAtMs} it steps down and tells everyone.
     */
    static final class GrantingElection implements Election {
        final ElectionContext context;
        final int self;
        final int candidate;
        final List<String> heardChosen = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        long resignAtMs = Long.MAX_VALUE;
        private Ballot round = Ballot.ZERO;
        private long requestedAtMs = -1;
        private long votes;
        private long leaseUntilMs = Long.MIN_VALUE;
        private int heardHolder = NO_MASTER;
        private boolean resigned;

        GrantingElection(ElectionContext context, int candidate) {
            this.context = context;
            this.self = context.config().nodeId();
            this.candidate = candidate;
        }

        @Override
        public String name() {
            return "granting";
        }

        @Override
        public void onMessage(int from, ElectionMessage message, long nowMs) {
            switch (message) {
                case LeasePropose propose -> {
                    heardHolder = propose.holder();
                    context.send(from, new LeaseAccepted(propose.ballot(), true, context.log().firstUnchosen()));
                }
                case LeaseAccepted accepted -> {
                    if (self != candidate || resigned || !accepted.granted() || !accepted.ballot().equals(round)) {
                        return;
                    }
                    votes |= 1L << from;
                    if (Long.bitCount(votes) == context.config().members().size() / 2 + 1) {
                        boolean first = leaseUntilMs == Long.MIN_VALUE;
                        leaseUntilMs = requestedAtMs + LEASE_MS - DRIFT_MS;
                        if (first) {
                            context.lead(nowMs);
                            context.propose(context.random().nextLong(), ("term " + round.round()).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
                case LeaseRelease release -> heardHolder = NO_MASTER;
                default -> { }
            }
        }

        @Override
        public void tick(long nowMs) {
            if (self != candidate || resigned) {
                return;
            }
            if (nowMs >= resignAtMs) {
                resigned = true;
                leaseUntilMs = Long.MIN_VALUE;
                context.stepDown(nowMs);
                context.broadcast(new LeaseRelease(round, self));
            } else if (requestedAtMs < 0 || nowMs >= requestedAtMs + LEASE_MS / 2) {
                round = round.next(self);
                requestedAtMs = nowMs; // the timer starts before the request goes out
                votes = 0;
                context.broadcast(new LeasePropose(round, self, LEASE_MS, context.log().firstUnchosen()));
            }
        }

        @Override
        public long wakeAtMs() {
            if (self != candidate || resigned) {
                return Long.MAX_VALUE;
            }
            return Math.min(resignAtMs, requestedAtMs < 0 ? Long.MIN_VALUE : requestedAtMs + LEASE_MS / 2);
        }

        @Override
        public boolean mayCampaign(long nowMs) {
            return false; // only the lease holder leads, and it is told to by lead()
        }

        @Override
        public long nextCampaignAtMs(long nowMs) {
            return Long.MAX_VALUE;
        }

        @Override
        public boolean acceptsProposals(long nowMs) {
            return self == candidate && nowMs < leaseUntilMs;
        }

        @Override
        public boolean allowsPrepare(int from, Ballot ballot, long nowMs) {
            return heardHolder == NO_MASTER || from == heardHolder;
        }

        @Override
        public void onElected(long nowMs) {
            events.add("elected");
        }

        @Override
        public void onProgress(long nowMs) {
            events.add("progress");
        }

        @Override
        public void onPreempted(long nowMs) {
            events.add("preempted");
        }

        @Override
        public void onChosen(long slot, Command command, long nowMs) {
            assertThat(command.kind()).isEqualTo(Command.Kind.ELECTION);
            heardChosen.add(slot + ":" + new String(command.payload(), StandardCharsets.UTF_8));
        }

        @Override
        public void release(long nowMs) {
            resignAtMs = nowMs;
            tick(nowMs);
        }

        @Override
        public byte[] stateAt(long slot) {
            return new byte[0];
        }

        @Override
        public void restore(long slot, byte[] state) {
        }

        @Override
        public Mastership mastership(long nowMs) {
            if (self == candidate && nowMs < leaseUntilMs) {
                return new Mastership(self, leaseUntilMs);
            }
            return new Mastership(heardHolder, Long.MIN_VALUE);
        }
    }

    @Test
    void aTestElectionUsesEveryCapabilityOfTheSeamThroughTheNode() {
        Map<Integer, GrantingElection> elections = new HashMap<>();
        TestCluster cluster = new TestCluster(3, b -> b.lease(LEASE_MS, DRIFT_MS),
                config -> Node.Parts.production(config).withElection(context -> {
                    GrantingElection election = new GrantingElection(context, 0);
                    elections.put(context.config().nodeId(), election);
                    return election;
                }));
        long requestedAt = cluster.now;
        cluster.settle();

        // Its own messages went out and were answered; a majority granted, so node 0 leads with no client work.
        assertThat(cluster.sentOfType(LeasePropose.class)).hasSize(2);
        assertThat(cluster.sentOfType(LeaseAccepted.class)).hasSize(2);
        NodeStatus leader = cluster.node(0).status();
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(leader.pendingCommands()).isZero();
        assertThat(elections.get(0).events).startsWith("elected");

        // It publishes a lease: who is master, and until when node 0 may read locally (its own clock, less drift).
        assertThat(leader.mastership()).isEqualTo(new Mastership(0, requestedAt + LEASE_MS - DRIFT_MS));
        assertThat(leader.mastership().mayReadLocally(cluster.now)).isTrue();
        NodeStatus follower = cluster.node(1).status();
        assertThat(follower.master()).isZero();
        assertThat(follower.mastership().mayReadLocally(cluster.now)).isFalse();

        // Its own command was chosen and heard on every node in slot order; no state machine was handed it.
        for (int id = 0; id < 3; id++) {
            assertThat(elections.get(id).heardChosen).as("node %d", id).containsExactly("0:term 1");
            assertThat(cluster.appliedPayloads(id)).as("node %d", id).isEmpty();
        }
        assertThat(cluster.node(2).chosenValue(0).commands().get(0).kind()).isEqualTo(Command.Kind.ELECTION);

        // Client commands go only to the master; elsewhere they are refused and nothing enters the log.
        cluster.propose(1, "not here");
        assertThat(cluster.rejections.get(1)).extracting(Ready.Rejection::reason)
                .containsExactly(Ready.Reason.NOT_MASTER);
        cluster.propose(0, "here");
        cluster.settle();
        assertThat(cluster.appliedPayloads(2)).containsExactly("here");

        // It wakes itself: the node asks for a tick at half the lease, and the tick renews.
        assertThat(cluster.node(0).wakeAtMs()).isLessThanOrEqualTo(requestedAt + LEASE_MS / 2);
        cluster.advanceTime(requestedAt + LEASE_MS / 2 - cluster.now);
        cluster.settle();
        assertThat(cluster.sentOfType(LeasePropose.class)).hasSize(4);
        assertThat(cluster.node(0).status().mastership().localReadsUntilMs())
                .isEqualTo(requestedAt + LEASE_MS / 2 + LEASE_MS - DRIFT_MS);

        // It steps its proposer down, and says so.
        elections.get(0).resignAtMs = cluster.now + 10;
        cluster.advanceTime(10);
        cluster.settle();
        assertThat(cluster.node(0).status().role()).isEqualTo(Role.FOLLOWER);
        assertThat(cluster.node(0).status().mastership().mayReadLocally(cluster.now)).isFalse();
        assertThat(elections.get(0).events).endsWith("preempted");
        assertThat(cluster.node(1).status().master()).isEqualTo(Election.NO_MASTER);
        cluster.propose(0, "too late");
        assertThat(cluster.rejections.get(0)).extracting(Ready.Rejection::reason)
                .containsExactly(Ready.Reason.NOT_MASTER);
    }
}
