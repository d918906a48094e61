package io.synod.core;

import io.synod.core.election.Election;
import io.synod.core.election.ElectionContext;
import io.synod.core.election.Elections;
import io.synod.core.election.LogView;
import io.synod.core.election.Mastership;
import io.synod.core.message.Accept;
import io.synod.core.message.Accepted;
import io.synod.core.message.CatchUpReply;
import io.synod.core.message.CatchUpRequest;
import io.synod.core.message.Commit;
import io.synod.core.message.Confirm;
import io.synod.core.message.Confirmed;
import io.synod.core.message.ElectionMessage;
import io.synod.core.message.Envelope;
import io.synod.core.message.Message;
import io.synod.core.message.Nack;
import io.synod.core.message.Prepare;
import io.synod.core.message.Promise;
import io.synod.core.message.SnapshotChunk;
import io.synod.core.message.SnapshotRequest;
import io.synod.core.paxos.Acceptor;
import io.synod.core.paxos.CatchUp;
import io.synod.core.paxos.Learner;
import io.synod.core.paxos.Outbox;
import io.synod.core.paxos.Proposer;
import io.synod.core.paxos.Quorum;
import io.synod.core.paxos.ReadIndex;
import io.synod.core.paxos.Recovery;
import io.synod.core.paxos.SnapshotTransfer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One Multi-Paxos node: acceptor, proposer and learner for every slot of the replicated log, with catch-up and a
 * master election ({@link Election}) as its fourth role.
 *
 * <p>The node is a pure state machine. It does no I/O, starts no thread and never reads a clock: everything that
 * happens to it is an {@link Input} given to {@link #step}, with the time of the caller's clock; randomness comes from
 * the generator it was built with. What it wants done comes out of {@link #ready()} as a {@link Ready}, which the caller
 * obeys (persist, send, apply) and then acknowledges with {@link #advance()}.
 *
 * <p>Contract: single-threaded. One caller thread calls {@code step}, {@code ready} and {@code advance}; no method
 * blocks. Times given to {@code step} are the caller's monotonic clock and never go backwards. After {@code ready()},
 * the caller must call {@code advance()} before the next {@code step} or {@code ready()}; {@code hasReady()},
 * {@code status()} and {@code wakeAtMs()} only read and may be called at any time in between. Methods throw {@link InvariantViolation} if a protocol
 * invariant breaks; the node is then unusable and its process must stop.
 */
public final class Node {
    private final NodeConfig config;
    private final Outbox outbox;
    private final Learner learner;
    private final Acceptor acceptor;
    private final Proposer proposer;
    private final CatchUp catchUp;
    private final SnapshotTransfer snapshots;
    private final ReadIndex reads;
    private final Election election;
    private final RandomGenerator random;
    private final Context context = new Context();
    private final List<Ready.Rejection> rejected = new ArrayList<>();
    private final List<Long> unknown = new ArrayList<>();

    private long nowMs = Long.MIN_VALUE;
    private long progressAtMs;
    private long lastCommitted;
    /** Every election command in a slot below this has been given to the election's onChosen. */
    private long electionHeardBelow;
    private Ballot leaderBallot = Ballot.ZERO;
    private final Map<Integer, Long> peerCommitted = new TreeMap<>();
    private Ready handedOut;

    /**
     * The node's replaceable parts: its election, and the rule a new leader reads promises by. Production nodes use
     * {@link #production}; tests swap a part to plant a bug or to try an election, never with a branch in the protocol.
     *
     * @param election builds the master election
     * @param recovery how a new leader picks values from the promises of phase 1
     */
    public record Parts(Election.Factory election, Recovery recovery) {
        /** The parts {@code config} names: the election of {@code config.election()}, Paxos's recovery rule. */
        public static Parts production(NodeConfig config) {
            return new Parts(Elections.factory(config), Recovery.HIGHEST_BALLOT);
        }

        public Parts withElection(Election.Factory factory) {
            return new Parts(factory, recovery);
        }

        public Parts withRecovery(Recovery replaced) {
            return new Parts(election, replaced);
        }
    }

    /**
     * A node with the production parts {@code config} names.
     *
     * @param config the node's configuration
     * @param recovered what the node recovered from stable storage ({@link DurableState#empty()} on first start)
     * @param random the node's only source of randomness; seed it for a reproducible run
     * @throws IllegalArgumentException if {@code config} names an election this build does not have
     */
    public Node(NodeConfig config, DurableState recovered, RandomGenerator random) {
        this(config, recovered, random, Parts.production(config));
    }

    /** A node with the given parts. */
    public Node(NodeConfig config, DurableState recovered, RandomGenerator random, Parts parts) {
        this.config = config;
        this.random = random;
        this.outbox = new Outbox(config.nodeId(), new Quorum(config.members()));
        this.learner = new Learner(outbox, recovered.snapshotSlot(), recovered.chosen());
        this.acceptor = new Acceptor(outbox, learner, config.acceptWindow(), config.acceptBytesMax(),
                recovered.promised(), recovered.accepted());
        this.election = parts.election().create(context);
        this.proposer = new Proposer(config, outbox, learner, acceptor, election, parts.recovery());
        this.snapshots = new SnapshotTransfer(config, outbox, learner);
        this.reads = new ReadIndex(config, outbox);
        this.catchUp = new CatchUp(config, outbox, learner, snapshots, random);
        if (recovered.snapshotSlot() > 0) {
            snapshots.onSnapshotTaken(recovered.snapshotSlot(), recovered.snapshotBytes());
        }
        this.learner.setListener(this::learned);
        this.lastCommitted = learner.committed();
        this.electionHeardBelow = learner.firstRetained();
    }

    public NodeConfig config() {
        return config;
    }

    /** Handles one input at time {@code nowMs} (milliseconds of the caller's clock, never decreasing). */
    public void step(long nowMs, Input input) {
        Invariants.check(handedOut == null, "step called between ready() and advance()");
        Invariants.check(nowMs >= this.nowMs, "time went backwards from %d to %d", this.nowMs, nowMs);
        if (this.nowMs == Long.MIN_VALUE) {
            progressAtMs = nowMs;
        }
        this.nowMs = nowMs;
        switch (input) {
            case Input.Receive receive -> receive(receive.envelope());
            case Input.Propose propose -> propose(propose);
            case Input.Tick tick -> { }
            case Input.SnapshotTaken taken -> {
                snapshots.onSnapshotTaken(taken.slot(), taken.totalBytes());
                learner.compactBelow(Math.min(taken.retainFrom(), learner.handedOut()));
            }
            case Input.SnapshotInstalled installed -> installSnapshot(installed);
            case Input.Release release -> election.release(nowMs);
            case Input.ReadIndex read -> {
                if (!election.acceptsProposals(nowMs)) {
                    rejected.add(new Ready.Rejection(read.requestId(), Ready.Reason.NOT_MASTER));
                } else if (!reads.offer(read.requestId())) {
                    rejected.add(new Ready.Rejection(read.requestId(), Ready.Reason.OVERLOADED));
                }
            }
        }
        drainSelf();
        runTimers();
        drainSelf();
    }

    private void propose(Input.Propose propose) {
        if (!election.acceptsProposals(nowMs)) {
            rejected.add(new Ready.Rejection(propose.requestId(), Ready.Reason.NOT_MASTER));
        } else if (!proposer.propose(new Command(config.nodeId(), propose.requestId(), propose.payload()))) {
            rejected.add(new Ready.Rejection(propose.requestId(), Ready.Reason.OVERLOADED));
        }
    }

    private void installSnapshot(Input.SnapshotInstalled installed) {
        if (!snapshots.onInstalled(installed.slot(), installed.ok(), nowMs)
                || installed.slot() <= learner.handedOut()) {
            return;
        }
        learner.installSnapshot(installed.slot());
        election.restore(installed.slot(), installed.electionState());
        electionHeardBelow = installed.slot();
        acceptor.forgetBelow(installed.slot());
        unknown.addAll(proposer.onSnapshotInstalled(installed.slot(), nowMs));
    }

    private void receive(Envelope envelope) {
        Invariants.check(envelope.to() == config.nodeId(), "message for %d delivered to %d",
                envelope.to(), config.nodeId());
        if (!outbox.quorum().isMember(envelope.from())) {
            return;
        }
        handle(envelope.from(), envelope.message());
    }

    private void handle(int from, Message message) {
        notePeerCommitted(from, message);
        switch (message) {
            case Prepare prepare -> {
                proposer.observe(prepare.ballot());
                if (election.allowsPrepare(from, prepare.ballot(), nowMs)) {
                    outbox.vote(from, acceptor.onPrepare(prepare));
                }
            }
            case Promise promise -> {
                proposer.onPromise(from, promise, nowMs);
                catchUp.onPeerCommitted(from, promise.committed(), nowMs);
            }
            case Accept accept -> onAccept(from, accept);
            case Accepted accepted -> proposer.onAccepted(from, accepted.slot(), accepted.ballot(), nowMs);
            case Nack nack -> {
                proposer.observe(nack.promised());
                if (nack.rejected().equals(proposer.ballot()) && proposer.isOvertakenBy(nack.promised())) {
                    proposer.stepDown(nowMs);
                }
                catchUp.onPeerCommitted(from, nack.committed(), nowMs);
            }
            case Commit commit -> {
                proposer.observe(commit.ballot());
                noteLeader(commit.ballot());
                acceptor.onCommitNews(commit.ballot(), commit.chosenBelow());
                catchUp.onPeerCommitted(from, Math.max(commit.committed(), commit.chosenBelow()), nowMs);
            }
            case CatchUpRequest request -> outbox.send(from, catchUp.onRequest(request));
            case CatchUpReply reply -> catchUp.onReply(from, reply, nowMs);
            case SnapshotRequest request -> snapshots.onRequest(from, request);
            case SnapshotChunk chunk -> snapshots.onChunk(from, chunk, nowMs);
            case Confirm confirm -> {
                proposer.observe(confirm.ballot());
                outbox.send(from, acceptor.promised().greaterThan(confirm.ballot()) ? acceptor.nack(confirm.ballot())
                        : new Confirmed(confirm.ballot(), confirm.round()));
            }
            case Confirmed confirmed -> reads.onConfirmed(from, confirmed.ballot(), confirmed.round());
            case ElectionMessage electionMessage -> election.onMessage(from, electionMessage, nowMs);
        }
    }

    /** Remembers the commit index a peer last reported, for status pages (how far behind is each peer?). */
    private void notePeerCommitted(int from, Message message) {
        long committed = switch (message) {
            case Promise promise -> promise.committed();
            case Accept accept -> accept.committed();
            case Nack nack -> nack.committed();
            case Commit commit -> commit.committed();
            case CatchUpReply reply -> reply.committed();
            default -> -1;
        };
        if (committed >= 0 && from != config.nodeId()) {
            peerCommitted.merge(from, committed, Math::max);
        }
    }

    private void onAccept(int from, Accept accept) {
        proposer.observe(accept.ballot());
        switch (acceptor.onAccept(accept)) {
            case ACCEPTED -> {
                noteLeader(accept.ballot());
                outbox.vote(from, new Accepted(accept.ballot(), accept.slot()));
            }
            case REFUSED -> outbox.vote(from, acceptor.nack(accept.ballot()));
            case ALREADY_CHOSEN -> {
                // Tell the proposer the slot is decided (and with what, if we still hold it) instead of voting.
                Value chosen = learner.chosenValue(accept.slot());
                List<LogEntry> entries = chosen == null ? List.of() : List.of(new LogEntry(accept.slot(), chosen));
                outbox.send(from, new CatchUpReply(learner.committed(), entries));
            }
            case TOO_FAR_AHEAD -> { }
        }
        acceptor.onCommitNews(accept.ballot(), accept.chosenBelow());
        catchUp.onPeerCommitted(from, Math.max(accept.committed(), accept.chosenBelow()), nowMs);
    }

    private void noteLeader(Ballot ballot) {
        if (ballot.atLeast(leaderBallot)) {
            leaderBallot = ballot;
        }
    }

    private void learned(long slot, Value value) {
        acceptor.forget(slot);
        proposer.onLearned(slot, value, nowMs);
    }

    private void drainSelf() {
        for (Message message = outbox.pollSelf(); message != null; message = outbox.pollSelf()) {
            handle(config.nodeId(), message);
        }
        // Our own acceptor promised a higher ballot: our proposals would be refused, so stop making them.
        if (proposer.isOvertakenBy(acceptor.promised())) {
            proposer.stepDown(nowMs);
        }
    }

    private void runTimers() {
        if (learner.committed() != lastCommitted) {
            lastCommitted = learner.committed();
            progressAtMs = nowMs;
        }
        tellElectionWhatWasChosen();
        election.tick(nowMs);
        if (reads.waiting() && !election.acceptsProposals(nowMs)) {
            for (long requestId : reads.drain()) {
                rejected.add(new Ready.Rejection(requestId, Ready.Reason.NOT_MASTER));
            }
        }
        proposer.tick(nowMs, mustResolve() || reads.waiting());
        reads.tick(nowMs);
        snapshots.tick(nowMs);
        catchUp.tick(nowMs);
    }

    /** Gives the election, in slot order, every command of its kind in slots newly below the commit index. */
    private void tellElectionWhatWasChosen() {
        electionHeardBelow = Math.max(electionHeardBelow, learner.firstRetained());
        for (; electionHeardBelow < learner.committed(); electionHeardBelow++) {
            Value value = learner.chosenValue(electionHeardBelow);
            for (Command command : value.commands()) {
                if (!command.isClient()) {
                    election.onChosen(electionHeardBelow, command, nowMs);
                }
            }
        }
    }

    /**
     * Whether this node holds accepted values that have gone unresolved for too long: it then runs phase 1 itself to
     * finish them (seed 003, resolution strategy).
     */
    private boolean mustResolve() {
        return acceptor.unresolvedCount() > 0 && nowMs - progressAtMs >= config.resolveTimeoutMs();
    }

    /** Whether {@link #ready()} would return a non-empty Ready. Changes nothing. */
    public boolean hasReady() {
        return !outbox.isEmpty() || proposer.hasSomethingToSend() || reads.hasConfirmed()
                || reads.wouldStart(proposer.leadingBallot()) || learner.handedOut() < learner.committed()
                || !rejected.isEmpty() || !unknown.isEmpty() || snapshots.hasWork();
    }

    /**
     * Cuts the work gathered since the last {@link #advance()} into a Ready: new batches are formed from queued
     * commands here, so commands that arrived between two Readys share a slot. The Ready's lists are immutable.
     */
    public Ready ready() {
        Invariants.check(handedOut == null, "ready() called twice without advance()");
        proposer.pump(nowMs);
        Ballot leading = proposer.leadingBallot();
        reads.pump(leading, leading == null ? -1 : proposer.readIndex(), nowMs);
        drainSelf();
        Ready ready = new Ready(outbox.records(), outbox.mustSync(), outbox.messages(), outbox.eager(),
                outbox.ownVotes(), learner.toApply(), rejected, unknown, snapshots.takeReads(), snapshots.takeWrites(),
                wakeAtMs(), election.mastership(nowMs), reads.takeConfirmed());
        handedOut = ready;
        return ready;
    }

    /**
     * Acknowledges the last Ready: the caller has taken charge of all of it. It may call this while some of the Ready's
     * outputs are still held for a sync, provided it releases them in order once the sync is done (see {@link Ready}).
     */
    public void advance() {
        Invariants.check(handedOut != null, "advance() without ready()");
        learner.markHandedOut(handedOut.toApply());
        outbox.clear();
        rejected.clear();
        unknown.clear();
        handedOut = null;
    }

    /** When the node next needs a {@link Input.Tick} ({@code Long.MAX_VALUE} if never by time alone). */
    public long wakeAtMs() {
        long resolveAt = reads.waiting() ? nowMs
                : acceptor.unresolvedCount() > 0 ? progressAtMs + config.resolveTimeoutMs() : Long.MAX_VALUE;
        return Math.min(Math.min(proposer.wakeAtMs(nowMs, resolveAt), catchUp.wakeAtMs()),
                Math.min(Math.min(snapshots.wakeAtMs(), election.wakeAtMs()), reads.wakeAtMs()));
    }

    /** A consistent view of this node's protocol state, for status pages, metrics and checkers. */
    public NodeStatus status() {
        int leader = proposer.role() == Role.LEADER ? config.nodeId()
                : leaderBallot.isZero() ? -1 : leaderBallot.nodeId();
        return new NodeStatus(config.nodeId(), proposer.role(), proposer.ballot(), acceptor.promised(), leader,
                learner.firstRetained(), learner.committed(), learner.handedOut(), proposer.pendingCount(),
                election.mastership(nowMs), election.name(), Map.copyOf(peerCommitted));
    }

    /**
     * The election's state as of {@code slot}, for the snapshot the replica takes at {@code slot}. Only reads; the
     * slot is at most this node's handed-out index.
     */
    public byte[] electionStateAt(long slot) {
        return election.stateAt(slot);
    }

    /**
     * The replica started this node from its own snapshot at {@code slot}, which held the election's {@code state}.
     * Called once, right after construction, before the first step.
     */
    public void restoreElection(long slot, byte[] state) {
        Invariants.check(nowMs == Long.MIN_VALUE, "the election is restored before the first step only");
        election.restore(slot, state);
        electionHeardBelow = Math.max(electionHeardBelow, slot);
    }

    /** The chosen value of {@code slot} if this node knows and still holds it, else null. */
    public Value chosenValue(long slot) {
        return learner.chosenValue(slot);
    }

    /** What the election may see and do: a window onto this node, valid during its calls. */
    private final class Context implements ElectionContext, LogView {
        @Override
        public NodeConfig config() {
            return config;
        }

        @Override
        public RandomGenerator random() {
            return random;
        }

        @Override
        public LogView log() {
            return this;
        }

        @Override
        public void send(int to, ElectionMessage message) {
            outbox.sendEager(to, message);
        }

        @Override
        public void broadcast(ElectionMessage message) {
            outbox.broadcastEager(message);
        }

        @Override
        public void lead(long nowMs) {
            if (proposer.role() == Role.FOLLOWER) {
                proposer.requestLead();
            }
        }

        @Override
        public void stepDown(long nowMs) {
            proposer.stepDown(nowMs);
        }

        @Override
        public Role role() {
            return proposer.role();
        }

        @Override
        public boolean propose(long requestId, byte[] payload) {
            return proposer.propose(new Command(Command.Kind.ELECTION, config.nodeId(), requestId, payload));
        }

        @Override
        public long firstUnchosen() {
            return learner.committed();
        }

        @Override
        public long handedOut() {
            return learner.handedOut();
        }

        @Override
        public long highestKnownCommitted() {
            long highest = learner.committed();
            for (long reported : peerCommitted.values()) {
                highest = Math.max(highest, reported);
            }
            return highest;
        }
    }
}
