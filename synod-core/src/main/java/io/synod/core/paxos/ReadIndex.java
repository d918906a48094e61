package io.synod.core.paxos;

import io.synod.core.Ballot;
import io.synod.core.Invariants;
import io.synod.core.NodeConfig;
import io.synod.core.Ready;
import io.synod.core.message.Confirm;
import java.util.ArrayList;
import java.util.List;

/**
 * ReadIndex: orders reads without writing anything to the log. A read waits for the leader's next confirmation round;
 * the leader notes its read index (its commit index, or the end of what its phase 1 recovered if that is higher: a
 * previous leader may have chosen values there) and asks every acceptor whether it still accepts its ballot. With a
 * majority, no other ballot can have chosen anything, so every write acknowledged before the read began is below the
 * index: the read may be answered once the state has applied it. One round serves every read waiting when it began.
 *
 * <p>Reads on a node that does not lead wait for it to lead (they count as work, like commands); reads whose round
 * loses its leadership wait for the next one. Bounded: at most {@code maxPendingCommands} reads wait.
 */
public final class ReadIndex {
    /** A read waiting for a round. */
    private record Waiting(long requestId) {}

    /** A confirmation round in flight. */
    private static final class Round {
        final Ballot ballot;
        final long number;
        final long index;
        final List<Long> reads;
        long votes;
        long sentAtMs;

        Round(Ballot ballot, long number, long index, List<Long> reads, long nowMs) {
            this.ballot = ballot;
            this.number = number;
            this.index = index;
            this.reads = reads;
            this.sentAtMs = nowMs;
        }
    }

    private final NodeConfig config;
    private final Outbox outbox;
    private final Quorum quorum;
    private final List<Long> queued = new ArrayList<>();
    private final List<Ready.ReadIndexed> confirmed = new ArrayList<>();
    private Round round;
    private long rounds;

    public ReadIndex(NodeConfig config, Outbox outbox) {
        this.config = config;
        this.outbox = outbox;
        this.quorum = outbox.quorum();
    }

    /** Queues a read for the next round. Returns false if too many reads wait already. */
    public boolean offer(long requestId) {
        if (queued.size() + (round == null ? 0 : round.reads.size()) >= config.maxPendingCommands()) {
            return false;
        }
        queued.add(requestId);
        return true;
    }

    /** Whether reads wait for this node to lead. */
    public boolean waiting() {
        return !queued.isEmpty() || round != null;
    }

    /**
     * Starts a round for the queued reads if this node leads in {@code ballot} (null if it does not) and none is in
     * flight; {@code index} is the read index at this moment.
     */
    public void pump(Ballot ballot, long index, long nowMs) {
        if (round != null && (ballot == null || !round.ballot.equals(ballot))) {
            queued.addAll(0, round.reads); // the leadership this round asked about is gone: the next one answers
            round = null;
        }
        if (ballot == null || round != null || queued.isEmpty()) {
            return;
        }
        round = new Round(ballot, ++rounds, index, List.copyOf(queued), nowMs);
        queued.clear();
        outbox.broadcastEager(new Confirm(ballot, round.number)); // a question: it depends on no record
    }

    /** Whether {@link #pump} with this ballot would send a round; changes nothing. */
    public boolean wouldStart(Ballot ballot) {
        if (ballot == null) {
            return false;
        }
        return round == null ? !queued.isEmpty() : !round.ballot.equals(ballot);
    }

    /** An acceptor confirmed a round. */
    public void onConfirmed(int from, Ballot ballot, long number) {
        Round r = round;
        if (r == null || r.number != number || !r.ballot.equals(ballot)) {
            return;
        }
        r.votes = quorum.addVote(r.votes, from);
        if (quorum.isMajority(r.votes)) {
            for (long requestId : r.reads) {
                confirmed.add(new Ready.ReadIndexed(requestId, r.index));
            }
            round = null;
        }
    }

    /** Asks again the acceptors that have not answered a round in flight. */
    public void tick(long nowMs) {
        Round r = round;
        if (r == null || nowMs - r.sentAtMs < config.retransmitMs()) {
            return;
        }
        r.sentAtMs = nowMs;
        for (int member : quorum.members()) {
            if (!quorum.hasVoted(r.votes, member)) {
                outbox.sendEager(member, new Confirm(r.ballot, r.number));
            }
        }
    }

    public long wakeAtMs() {
        return round == null ? Long.MAX_VALUE : round.sentAtMs + config.retransmitMs();
    }

    /** The reads confirmed since the last call, with their indexes; the list is handed over. */
    public List<Ready.ReadIndexed> takeConfirmed() {
        List<Ready.ReadIndexed> taken = List.copyOf(confirmed);
        confirmed.clear();
        return taken;
    }

    public boolean hasConfirmed() {
        return !confirmed.isEmpty();
    }

    /** Every waiting read, taken out (the node stops leading for good: its election said no). */
    public List<Long> drain() {
        List<Long> all = new ArrayList<>(queued);
        if (round != null) {
            all.addAll(round.reads);
            round = null;
        }
        queued.clear();
        Invariants.check(all.size() <= config.maxPendingCommands(), "%d reads waited", all.size());
        return all;
    }
}
