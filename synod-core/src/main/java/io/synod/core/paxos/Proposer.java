package io.synod.core.paxos;

import io.synod.core.Ballot;
import io.synod.core.Command;
import io.synod.core.Invariants;
import io.synod.core.NodeConfig;
import io.synod.core.Role;
import io.synod.core.Value;
import io.synod.core.election.Election;
import io.synod.core.message.Accept;
import io.synod.core.message.AcceptedSlot;
import io.synod.core.message.Commit;
import io.synod.core.message.Prepare;
import io.synod.core.message.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The proposer role in leader mode (seed 004, "Multi-Paxos"; seed 000, steady state skips phase 1).
 *
 * <p>It is in one of three states, each its own object so that no field of one can be read in another:
 * <ul>
 *   <li>{@link Following}: not proposing. With work (and the election's leave) it becomes a candidate.</li>
 *   <li>{@link Campaign}: phase 1, run once for every slot from the commit index on, in a ballot above any seen. With
 *       promises from a majority it becomes leader.</li>
 *   <li>{@link Leadership}: it re-proposes, per slot, what {@link Recovery} picks from the promises, fills the remaining
 *       holes with no-ops, and from then on runs only phase 2, one round trip per slot, with up to
 *       {@code pipelineWindow} slots in flight, until a higher ballot turns up.</li>
 * </ul>
 * Its commands wait in a {@link CommandQueue}, which keeps each in at most one undecided slot.
 *
 * <p>Invariants checked always: a ballot is never reused; a leader proposes at most one value per slot in its ballot
 * (new slots only at the next free slot, recovered ones only once); no slot beyond the window is sent.
 */
public final class Proposer {
    private sealed interface State permits Following, Campaign, Leadership {}

    private static final class Following implements State {
        static final Following INSTANCE = new Following();
    }

    /** Phase 1 in {@link #ballot}, from {@link #fromSlot}. */
    private static final class Campaign implements State {
        final Ballot ballot;
        final long fromSlot;
        final long startedAtMs;
        final List<Promise> promises = new ArrayList<>();
        long votes;
        long sentAtMs;

        Campaign(Ballot ballot, long fromSlot, long nowMs) {
            this.ballot = ballot;
            this.fromSlot = fromSlot;
            this.startedAtMs = nowMs;
            this.sentAtMs = nowMs;
        }
    }

    /** A slot this leader proposed in its ballot that is not yet known chosen. */
    private static final class InFlight {
        final Value value;
        long acks;
        long sentAtMs = -1;

        InFlight(Value value) {
            this.value = value;
        }
    }

    /** Phase 2 in the won {@link #ballot}. */
    private static final class Leadership implements State {
        final Ballot ballot;
        final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
        /** Every slot this leader proposes anew is {@code nextSlot}; every one below it was proposed once. */
        long nextSlot;
        /** The end of what phase 1 recovered: a previous leader may have chosen any slot below it. */
        final long recoveredBelow;
        long chosenBelow;
        long announcedChosenBelow;
        long heartbeatAtMs;

        /** Leads from {@code start}; {@code recovered} holds every slot below {@code nextSlot} not yet chosen. */
        Leadership(Ballot ballot, long start, long nextSlot, SortedMap<Long, Value> recovered, long nowMs) {
            this.ballot = ballot;
            for (Map.Entry<Long, Value> entry : recovered.entrySet()) {
                Invariants.check(entry.getKey() >= start && entry.getKey() < nextSlot,
                        "recovered slot %d outside [%d, %d)", entry.getKey(), start, nextSlot);
                inFlight.put(entry.getKey(), new InFlight(entry.getValue()));
            }
            this.nextSlot = nextSlot;
            this.recoveredBelow = nextSlot;
            this.chosenBelow = start;
            this.announcedChosenBelow = start;
            this.heartbeatAtMs = nowMs;
        }

        /** Takes the next free slot for {@code value}: the only way a leader adds a slot after phase 1. */
        long propose(Value value) {
            long slot = nextSlot++;
            InFlight previous = inFlight.put(slot, new InFlight(value));
            Invariants.check(previous == null, "leader %s proposed two values for slot %d", ballot, slot);
            return slot;
        }

        void advanceChosenBelow() {
            long next = inFlight.isEmpty() ? nextSlot : inFlight.firstKey();
            Invariants.check(next >= chosenBelow, "chosenBelow going down from %d to %d", chosenBelow, next);
            chosenBelow = next;
        }
    }

    private final NodeConfig config;
    private final Outbox outbox;
    private final Quorum quorum;
    private final Learner learner;
    private final Acceptor acceptor;
    private final Election election;
    private final Recovery recovery;
    private final CommandQueue queue;

    private State state = Following.INSTANCE;
    /** The last ballot this node campaigned in; the next one is always higher. */
    private Ballot ballot = Ballot.ZERO;
    private Ballot highestSeen = Ballot.ZERO;
    private boolean leadRequested;

    public Proposer(NodeConfig config, Outbox outbox, Learner learner, Acceptor acceptor, Election election,
            Recovery recovery) {
        this.config = config;
        this.outbox = outbox;
        this.quorum = outbox.quorum();
        this.learner = learner;
        this.acceptor = acceptor;
        this.election = election;
        this.recovery = recovery;
        this.queue = new CommandQueue(config, outbox.self());
        observe(acceptor.promised());
    }

    public Role role() {
        return switch (state) {
            case Following f -> Role.FOLLOWER;
            case Campaign c -> Role.CANDIDATE;
            case Leadership l -> Role.LEADER;
        };
    }

    /** The ballot of the current or last campaign ({@link Ballot#ZERO} if none yet). */
    public Ballot ballot() {
        return ballot;
    }

    public int pendingCount() {
        return queue.size();
    }

    /** The ballot this node leads in, or null if it does not lead. */
    public Ballot leadingBallot() {
        return state instanceof Leadership leader ? leader.ballot : null;
    }

    /**
     * The read index now (ReadIndex): the commit index, or the end of what phase 1 recovered if that is higher, since
     * a previous leader may have chosen values there that this leader has not yet seen chosen. Only while leading.
     */
    public long readIndex() {
        Invariants.check(state instanceof Leadership, "read index asked of a node that does not lead");
        return Math.max(learner.committed(), ((Leadership) state).recoveredBelow);
    }

    /** Queues a command for the next batch. Returns false if the queue is full. */
    public boolean propose(Command command) {
        return queue.offer(command);
    }

    /** Notes a ballot seen anywhere, so the next campaign starts above it. */
    public void observe(Ballot seen) {
        if (seen.greaterThan(highestSeen)) {
            highestSeen = seen;
        }
    }

    /** Asks to run phase 1 at the next tick even without work (the election wants this node to lead). */
    public void requestLead() {
        leadRequested = true;
    }

    // ----- phase 1 -----

    /** Starts phase 1 for every slot from the commit index on, in a ballot above any seen. */
    private void campaign(long nowMs) {
        Ballot floor = highestSeen.greaterThan(ballot) ? highestSeen : ballot;
        if (acceptor.promised().greaterThan(floor)) {
            floor = acceptor.promised();
        }
        Ballot next = floor.next(outbox.self());
        Invariants.check(next.greaterThan(ballot), "new ballot %s not above previous %s", next, ballot);
        ballot = next;
        leadRequested = false;
        Campaign campaign = new Campaign(next, learner.committed(), nowMs);
        state = campaign;
        outbox.broadcast(new Prepare(campaign.ballot, campaign.fromSlot));
    }

    public void onPromise(int from, Promise promise, long nowMs) {
        if (!(state instanceof Campaign campaign) || !promise.ballot().equals(campaign.ballot)
                || promise.fromSlot() != campaign.fromSlot || quorum.hasVoted(campaign.votes, from)) {
            return;
        }
        campaign.votes = quorum.addVote(campaign.votes, from);
        campaign.promises.add(promise);
        if (quorum.isMajority(campaign.votes)) {
            lead(campaign, nowMs);
        }
    }

    /**
     * Phase 1 succeeded. Slots below the highest commit index any promise reported are chosen and are learned by
     * catch-up. From there on every promise reported everything it accepted: {@link Recovery} picks what to act on.
     */
    private void lead(Campaign campaign, long nowMs) {
        long start = campaign.fromSlot;
        for (Promise promise : campaign.promises) {
            start = Math.max(start, promise.committed());
        }
        SortedMap<Long, AcceptedSlot> picked = recovery.pick(start, campaign.promises);
        long last = picked.isEmpty() ? start - 1 : Math.max(start - 1, picked.lastKey());
        for (AcceptedSlot reported : picked.values()) {
            if (reported.chosen()) {
                learner.learn(reported.slot(), reported.value());
            }
        }
        SortedMap<Long, Value> toPropose = new TreeMap<>();
        for (long slot = start; slot <= last; slot++) {
            if (!learner.isChosen(slot)) {
                AcceptedSlot reported = picked.get(slot);
                toPropose.put(slot, reported == null ? Value.NOOP : reported.value());
            }
        }
        Leadership leadership = new Leadership(campaign.ballot, start, last + 1, toPropose, nowMs);
        leadership.advanceChosenBelow();
        state = leadership;
        election.onElected(nowMs);
    }

    // ----- phase 2 -----

    public void onAccepted(int from, long slot, Ballot acceptedBallot, long nowMs) {
        if (!(state instanceof Leadership leader) || !acceptedBallot.equals(leader.ballot)) {
            return;
        }
        InFlight proposal = leader.inFlight.get(slot);
        if (proposal == null) {
            return;
        }
        proposal.acks = quorum.addVote(proposal.acks, from);
        if (quorum.isMajority(proposal.acks)) {
            leader.inFlight.remove(slot);
            learner.learn(slot, proposal.value);
            leader.advanceChosenBelow();
            election.onProgress(nowMs);
        }
    }

    /**
     * Called for every value the learner learns, however it learned it. A slot this leader proposed that turns out
     * chosen with another value proves a higher ballot chose it: the leader steps down. A slot that held this node's
     * commands and was chosen with another value sends those commands back to the queue.
     */
    public void onLearned(long slot, Value value, long nowMs) {
        if (state instanceof Leadership leader) {
            InFlight proposal = leader.inFlight.get(slot);
            if (proposal != null) {
                if (proposal.value.equals(value)) {
                    leader.inFlight.remove(slot);
                    leader.advanceChosenBelow();
                } else {
                    stepDown(nowMs);
                }
            }
        }
        queue.onChosen(slot, value);
    }

    /**
     * Sends what the window allows: first slots recovered in phase 1, then new batches cut from the queue. Called when
     * the node cuts a Ready, so commands that arrived together share a slot.
     */
    public void pump(long nowMs) {
        if (!(state instanceof Leadership leader)) {
            return;
        }
        long limit = learner.committed() + config.pipelineWindow();
        for (Map.Entry<Long, InFlight> entry : leader.inFlight.entrySet()) {
            if (entry.getKey() >= limit) {
                break;
            }
            if (entry.getValue().sentAtMs < 0) {
                sendAccept(leader, entry.getKey(), entry.getValue(), nowMs);
            }
        }
        while (mayOpenSlot(leader, limit)) {
            long slot = leader.nextSlot;
            Value batch = queue.cut(slot);
            Invariants.check(leader.propose(batch) == slot, "slot %d taken twice", slot);
            sendAccept(leader, slot, leader.inFlight.get(slot), nowMs);
        }
        if (leader.chosenBelow > leader.announcedChosenBelow) {
            announce(leader, nowMs);
        }
    }

    /** Whether {@link #pump} would send anything now; changes nothing. */
    public boolean hasSomethingToSend() {
        if (!(state instanceof Leadership leader)) {
            return false;
        }
        long limit = learner.committed() + config.pipelineWindow();
        if (mayOpenSlot(leader, limit)) {
            return true;
        }
        for (Map.Entry<Long, InFlight> entry : leader.inFlight.entrySet()) {
            if (entry.getKey() >= limit) {
                break;
            }
            if (entry.getValue().sentAtMs < 0) {
                return true;
            }
        }
        return leader.chosenBelow > leader.announcedChosenBelow;
    }

    /**
     * Whether the leader opens a new slot for queued commands now: the window has room, and either fewer than
     * {@code openSlots} slots are open or a full batch waits. Otherwise the commands gather until a slot is chosen,
     * so that under load a slot carries many commands rather than one.
     */
    private boolean mayOpenSlot(Leadership leader, long limit) {
        return !queue.isEmpty() && leader.nextSlot < limit
                && (leader.inFlight.size() < config.openSlots() || queue.hasFullBatch());
    }

    private void sendAccept(Leadership leader, long slot, InFlight proposal, long nowMs) {
        Invariants.check(slot < learner.committed() + config.pipelineWindow(),
                "slot %d beyond the window (commit index %d, window %d)", slot, learner.committed(),
                config.pipelineWindow());
        proposal.sentAtMs = nowMs;
        outbox.broadcastEager(new Accept(leader.ballot, slot, proposal.value, leader.chosenBelow,
                learner.committed()));
        leader.announcedChosenBelow = Math.max(leader.announcedChosenBelow, leader.chosenBelow);
    }

    private void announce(Leadership leader, long nowMs) {
        outbox.sendToPeersEager(new Commit(leader.ballot, leader.chosenBelow, learner.committed()));
        leader.announcedChosenBelow = leader.chosenBelow;
        leader.heartbeatAtMs = nowMs;
    }

    // ----- time and preemption -----

    /**
     * Runs due timers: resends, phase 1 timeout, heartbeats, and starting a campaign when there is work: commands of
     * its own, or {@code otherWork} (accepted slots left unresolved, reads waiting for a leader).
     */
    public void tick(long nowMs, boolean otherWork) {
        switch (state) {
            case Campaign campaign -> {
                if (nowMs - campaign.startedAtMs >= config.prepareTimeoutMs()) {
                    stepDown(nowMs);
                } else if (nowMs - campaign.sentAtMs >= config.retransmitMs()) {
                    campaign.sentAtMs = nowMs;
                    for (int member : quorum.members()) {
                        if (!quorum.hasVoted(campaign.votes, member)) {
                            outbox.send(member, new Prepare(campaign.ballot, campaign.fromSlot));
                        }
                    }
                }
            }
            case Leadership leader -> {
                resendOverdue(leader, nowMs);
                if (nowMs - leader.heartbeatAtMs >= config.heartbeatMs()) {
                    announce(leader, nowMs);
                }
            }
            case Following following -> {
                if (leadRequested || ((!queue.isEmpty() || otherWork) && election.mayCampaign(nowMs))) {
                    campaign(nowMs);
                }
            }
        }
    }

    private void resendOverdue(Leadership leader, long nowMs) {
        for (Map.Entry<Long, InFlight> entry : leader.inFlight.entrySet()) {
            InFlight proposal = entry.getValue();
            if (proposal.sentAtMs < 0 || nowMs - proposal.sentAtMs < config.retransmitMs()) {
                continue;
            }
            proposal.sentAtMs = nowMs;
            Accept accept = new Accept(leader.ballot, entry.getKey(), proposal.value, leader.chosenBelow,
                    learner.committed());
            for (int member : quorum.members()) {
                if (!quorum.hasVoted(proposal.acks, member)) {
                    outbox.sendEager(member, accept);
                }
            }
        }
    }

    /** When this proposer next needs a tick, given whether it would campaign to resolve slots and from when. */
    public long wakeAtMs(long nowMs, long resolveAtMs) {
        return switch (state) {
            case Campaign campaign -> Math.min(campaign.startedAtMs + config.prepareTimeoutMs(),
                    campaign.sentAtMs + config.retransmitMs());
            case Leadership leader -> {
                long wake = leader.heartbeatAtMs + config.heartbeatMs();
                for (InFlight proposal : leader.inFlight.values()) {
                    if (proposal.sentAtMs >= 0) {
                        wake = Math.min(wake, proposal.sentAtMs + config.retransmitMs());
                    }
                }
                yield wake;
            }
            case Following following -> {
                if (leadRequested) {
                    yield nowMs;
                }
                long want = !queue.isEmpty() ? nowMs : resolveAtMs;
                yield want == Long.MAX_VALUE ? want : Math.max(want, election.nextCampaignAtMs(nowMs));
            }
        };
    }

    /**
     * Stops being candidate or leader. Slots in flight stay undecided for now; the commands in them are tracked and
     * come back to the queue if their slot goes to another value.
     */
    public void stepDown(long nowMs) {
        leadRequested = false;
        if (state instanceof Following) {
            return;
        }
        state = Following.INSTANCE;
        election.onPreempted(nowMs);
    }

    /**
     * A snapshot covering every slot below {@code slot} was installed. This node's commands in those slots may or may
     * not have been chosen, and it can no longer tell: their request ids are returned so their clients hear so.
     */
    public List<Long> onSnapshotInstalled(long slot, long nowMs) {
        stepDown(nowMs);
        return queue.forgetBelow(slot);
    }

    /** Whether this node is candidate or leader in a ballot below {@code other}: it has been pre-empted. */
    public boolean isOvertakenBy(Ballot other) {
        return !(state instanceof Following) && other.greaterThan(ballot);
    }
}
