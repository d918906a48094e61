package io.synod.core.paxos;

import io.synod.core.Command;
import io.synod.core.Invariants;
import io.synod.core.NodeConfig;
import io.synod.core.PlantedBug;
import io.synod.core.Value;
import io.synod.core.election.Election;
import io.synod.core.message.Accept;
import io.synod.core.message.AcceptedSlot;
import io.synod.core.message.Commit;
import io.synod.core.message.Prepare;
import io.synod.core.message.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The proposer role in leader mode (seed 004, "Multi-Paxos"; seed 000, steady state skips phase 1).
 *
 * <p>A follower that has work becomes a <b>candidate</b>: it runs phase 1 once, for every slot from its commit index on.
 * With promises from a majority it becomes <b>leader</b>: it re-proposes, per slot, the value with the highest ballot
 * any promise reported, fills the remaining holes with no-ops, and from then on runs only phase 2, one round trip per
 * slot, with up to {@code pipelineWindow} slots in flight, until a higher ballot turns up.
 *
 * <p>The proposer also remembers which slots hold this node's own commands. When such a slot turns out chosen with
 * another value, the commands go back to the front of the queue; a command is therefore in at most one undecided slot
 * at a time, and the core never makes a duplicate.
 */
public final class Proposer {
    /** Where this node stands in leading the log. */
    public enum Role { FOLLOWER, CANDIDATE, LEADER }

    /** A slot this leader proposed in its ballot that is not yet known chosen. */
    private static final class InFlight {
        final Value value;
        long acks;
        long sentAtMs = -1;

        InFlight(Value value) {
            this.value = value;
        }
    }

    private final NodeConfig config;
    private final Outbox outbox;
    private final Quorum quorum;
    private final Learner learner;
    private final Acceptor acceptor;
    private final Election election;

    private Role role = Role.FOLLOWER;
    private Ballot ballot = Ballot.ZERO;
    private Ballot highestSeen = Ballot.ZERO;

    private long prepareFrom;
    private long promiseVotes;
    private final List<Promise> promises = new ArrayList<>();
    private long campaignStartMs;
    private long prepareSentAtMs;

    private long nextSlot;
    private long chosenBelow;
    private long announcedChosenBelow;
    private long heartbeatAtMs;
    private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();

    private final ArrayDeque<Command> pending = new ArrayDeque<>();
    private final Map<Long, Value> mine = new HashMap<>();

    public Proposer(NodeConfig config, Outbox outbox, Learner learner, Acceptor acceptor, Election election) {
        this.config = config;
        this.outbox = outbox;
        this.quorum = outbox.quorum();
        this.learner = learner;
        this.acceptor = acceptor;
        this.election = election;
        observe(acceptor.promised());
    }

    public Role role() {
        return role;
    }

    public Ballot ballot() {
        return ballot;
    }

    public int pendingCount() {
        return pending.size();
    }

    /** Queues a client command for the next batch. Returns false if the queue is full. */
    public boolean propose(Command command) {
        if (pending.size() >= config.maxPendingCommands()) {
            return false;
        }
        pending.addLast(command);
        return true;
    }

    /** Notes a ballot seen anywhere, so the next campaign starts above it. */
    public void observe(Ballot seen) {
        if (seen.greaterThan(highestSeen)) {
            highestSeen = seen;
        }
    }

    /** Whether this node has a reason to lead: commands of its own waiting for a slot. */
    public boolean hasWork() {
        return !pending.isEmpty();
    }

    // ----- phase 1 -----

    /** Starts phase 1 for every slot from the commit index on, in a ballot above any seen. */
    public void campaign(long nowMs) {
        Ballot floor = highestSeen.greaterThan(ballot) ? highestSeen : ballot;
        if (acceptor.promised().greaterThan(floor)) {
            floor = acceptor.promised();
        }
        Ballot next = floor.next(outbox.self());
        Invariants.check(next.greaterThan(ballot), "new ballot %s not above previous %s", next, ballot);
        ballot = next;
        role = Role.CANDIDATE;
        prepareFrom = learner.committed();
        promiseVotes = 0;
        promises.clear();
        campaignStartMs = nowMs;
        prepareSentAtMs = nowMs;
        outbox.broadcast(new Prepare(ballot, prepareFrom));
    }

    public void onPromise(int from, Promise promise, long nowMs) {
        if (role != Role.CANDIDATE || !promise.ballot().equals(ballot) || promise.fromSlot() != prepareFrom) {
            return;
        }
        if (quorum.hasVoted(promiseVotes, from)) {
            return;
        }
        promiseVotes = quorum.addVote(promiseVotes, from);
        promises.add(promise);
        if (quorum.isMajority(promiseVotes)) {
            lead(nowMs);
        }
    }

    /**
     * Phase 1 succeeded. Slots below the highest commit index any promise reported are chosen and are learned by
     * catch-up. From there on every promise reported everything it accepted, so for each slot the value with the
     * highest ballot is the only one that may have been chosen: re-propose it, or a no-op where there is none.
     */
    private void lead(long nowMs) {
        long start = prepareFrom;
        for (Promise promise : promises) {
            start = Math.max(start, promise.committed());
        }
        Map<Long, AcceptedSlot> best = new HashMap<>();
        long maxSlot = start - 1;
        for (Promise promise : promises) {
            for (AcceptedSlot slot : promise.slots()) {
                if (slot.slot() < start) {
                    continue;
                }
                if (slot.chosen()) {
                    learner.learn(slot.slot(), slot.value());
                } else if (config.hasBug(PlantedBug.IGNORE_PROMISED_VALUES)) {
                    continue;
                }
                maxSlot = Math.max(maxSlot, slot.slot());
                AcceptedSlot current = best.get(slot.slot());
                if (current == null || slot.chosen() || (!current.chosen() && slot.ballot().greaterThan(current.ballot()))) {
                    best.put(slot.slot(), slot);
                }
            }
        }
        role = Role.LEADER;
        inFlight.clear();
        for (long slot = start; slot <= maxSlot; slot++) {
            if (!learner.isChosen(slot)) {
                AcceptedSlot reported = best.get(slot);
                inFlight.put(slot, new InFlight(reported == null ? Value.NOOP : reported.value()));
            }
        }
        nextSlot = maxSlot + 1;
        chosenBelow = start;
        announcedChosenBelow = start;
        heartbeatAtMs = nowMs;
        advanceChosenBelow();
        election.onElected(nowMs);
    }

    // ----- phase 2 -----

    public void onAccepted(int from, long slot, Ballot acceptedBallot, long nowMs) {
        if (role != Role.LEADER || !acceptedBallot.equals(ballot)) {
            return;
        }
        InFlight proposal = inFlight.get(slot);
        if (proposal == null) {
            return;
        }
        proposal.acks = quorum.addVote(proposal.acks, from);
        if (quorum.isMajority(proposal.acks)) {
            inFlight.remove(slot);
            learner.learn(slot, proposal.value);
            advanceChosenBelow();
            election.onProgress(nowMs);
        }
    }

    /**
     * Called for every value the learner learns, however it learned it. A slot this leader proposed that turns out
     * chosen with another value proves a higher ballot chose it: the leader steps down. A slot that held this node's
     * commands and was chosen with another value sends those commands back to the queue.
     */
    public void onLearned(long slot, Value value, long nowMs) {
        if (role == Role.LEADER) {
            InFlight proposal = inFlight.get(slot);
            if (proposal != null) {
                if (proposal.value.equals(value)) {
                    inFlight.remove(slot);
                    advanceChosenBelow();
                } else {
                    stepDown(nowMs);
                }
            }
        }
        Value proposed = mine.remove(slot);
        if (proposed != null && !proposed.equals(value)) {
            requeue(proposed, value);
        }
    }

    private void requeue(Value proposed, Value chosen) {
        List<Command> lost = new ArrayList<>();
        Set<Long> chosenIds = new HashSet<>();
        for (Command command : chosen.commands()) {
            if (command.origin() == outbox.self()) {
                chosenIds.add(command.requestId());
            }
        }
        for (Command command : proposed.commands()) {
            if (command.origin() == outbox.self() && !chosenIds.contains(command.requestId())) {
                lost.add(command);
            }
        }
        for (int i = lost.size() - 1; i >= 0; i--) {
            pending.addFirst(lost.get(i));
        }
    }

    private void advanceChosenBelow() {
        long next = inFlight.isEmpty() ? nextSlot : inFlight.firstKey();
        Invariants.check(next >= chosenBelow, "chosenBelow going down from %d to %d", chosenBelow, next);
        chosenBelow = next;
    }

    /**
     * Sends what the window allows: first slots recovered in phase 1, then new batches cut from the queue. Called when
     * the node cuts a Ready, so commands that arrived together share a slot.
     */
    public void pump(long nowMs) {
        if (role != Role.LEADER) {
            return;
        }
        long limit = learner.committed() + config.pipelineWindow();
        for (Map.Entry<Long, InFlight> entry : inFlight.entrySet()) {
            if (entry.getKey() >= limit) {
                break;
            }
            if (entry.getValue().sentAtMs < 0) {
                sendAccept(entry.getKey(), entry.getValue(), nowMs);
            }
        }
        while (!pending.isEmpty() && nextSlot < limit && role == Role.LEADER) {
            long slot = nextSlot++;
            Value batch = cutBatch();
            InFlight proposal = new InFlight(batch);
            inFlight.put(slot, proposal);
            mine.put(slot, batch);
            sendAccept(slot, proposal, nowMs);
        }
        if (role == Role.LEADER && chosenBelow > announcedChosenBelow) {
            announce(nowMs);
        }
    }

    private Value cutBatch() {
        List<Command> batch = new ArrayList<>(Math.min(pending.size(), config.maxBatchCommands()));
        int bytes = 0;
        while (!pending.isEmpty() && batch.size() < config.maxBatchCommands()) {
            Command next = pending.peekFirst();
            if (!batch.isEmpty() && bytes + next.sizeBytes() > config.maxBatchBytes()) {
                break;
            }
            bytes += next.sizeBytes();
            batch.add(pending.pollFirst());
        }
        return new Value(batch);
    }

    private void sendAccept(long slot, InFlight proposal, long nowMs) {
        proposal.sentAtMs = nowMs;
        outbox.broadcast(new Accept(ballot, slot, proposal.value, chosenBelow, learner.committed()));
        announcedChosenBelow = Math.max(announcedChosenBelow, chosenBelow);
    }

    private void announce(long nowMs) {
        outbox.sendToPeers(new Commit(ballot, chosenBelow, learner.committed()));
        announcedChosenBelow = chosenBelow;
        heartbeatAtMs = nowMs;
    }

    // ----- time and preemption -----

    /** Runs due timers: resends, phase 1 timeout, heartbeats, and starting a campaign when there is work. */
    public void tick(long nowMs, boolean mustResolve) {
        switch (role) {
            case CANDIDATE -> {
                if (nowMs - campaignStartMs >= config.prepareTimeoutMs()) {
                    stepDown(nowMs);
                } else if (nowMs - prepareSentAtMs >= config.retransmitMs()) {
                    prepareSentAtMs = nowMs;
                    for (int member : quorum.members()) {
                        if (!quorum.hasVoted(promiseVotes, member)) {
                            outbox.send(member, new Prepare(ballot, prepareFrom));
                        }
                    }
                }
            }
            case LEADER -> {
                resendOverdue(nowMs);
                if (nowMs - heartbeatAtMs >= config.heartbeatMs()) {
                    announce(nowMs);
                }
            }
            case FOLLOWER -> {
                if ((hasWork() || mustResolve) && election.mayCampaign(nowMs)) {
                    campaign(nowMs);
                }
            }
        }
    }

    private void resendOverdue(long nowMs) {
        for (Map.Entry<Long, InFlight> entry : inFlight.entrySet()) {
            InFlight proposal = entry.getValue();
            if (proposal.sentAtMs < 0 || nowMs - proposal.sentAtMs < config.retransmitMs()) {
                continue;
            }
            proposal.sentAtMs = nowMs;
            Accept accept = new Accept(ballot, entry.getKey(), proposal.value, chosenBelow, learner.committed());
            for (int member : quorum.members()) {
                if (!quorum.hasVoted(proposal.acks, member)) {
                    outbox.send(member, accept);
                }
            }
        }
    }

    /** When this proposer next needs a tick, given whether it would campaign to resolve slots and from when. */
    public long wakeAtMs(long nowMs, long resolveAtMs) {
        return switch (role) {
            case CANDIDATE -> Math.min(campaignStartMs + config.prepareTimeoutMs(),
                    prepareSentAtMs + config.retransmitMs());
            case LEADER -> {
                long wake = heartbeatAtMs + config.heartbeatMs();
                for (InFlight proposal : inFlight.values()) {
                    if (proposal.sentAtMs >= 0) {
                        wake = Math.min(wake, proposal.sentAtMs + config.retransmitMs());
                    }
                }
                yield wake;
            }
            case FOLLOWER -> {
                long want = hasWork() ? nowMs : resolveAtMs;
                yield want == Long.MAX_VALUE ? want : Math.max(want, election.nextCampaignAtMs(nowMs));
            }
        };
    }

    /**
     * Stops being candidate or leader. Slots in flight stay undecided for now; the commands in them are tracked and
     * come back to the queue if their slot goes to another value.
     */
    public void stepDown(long nowMs) {
        if (role == Role.FOLLOWER) {
            return;
        }
        role = Role.FOLLOWER;
        inFlight.clear();
        promises.clear();
        election.onPreempted(nowMs);
    }

    /**
     * A snapshot covering every slot below {@code slot} was installed. This node's commands in those slots may or may
     * not have been chosen, and it can no longer tell: their request ids are returned so their clients hear so.
     */
    public List<Long> onSnapshotInstalled(long slot, long nowMs) {
        stepDown(nowMs);
        List<Long> unknown = new ArrayList<>();
        mine.entrySet().removeIf(entry -> {
            if (entry.getKey() >= slot) {
                return false;
            }
            for (Command command : entry.getValue().commands()) {
                if (command.origin() == outbox.self()) {
                    unknown.add(command.requestId());
                }
            }
            return true;
        });
        return unknown;
    }

    /** Whether this node is candidate or leader in a ballot below {@code other}: it has been pre-empted. */
    public boolean isOvertakenBy(Ballot other) {
        return role != Role.FOLLOWER && other.greaterThan(ballot);
    }
}
