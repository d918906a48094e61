package io.synod.core.election;

import io.synod.core.Ballot;
import io.synod.core.Command;
import io.synod.core.Invariants;
import io.synod.core.Role;
import io.synod.core.message.ElectionMessage;
import io.synod.core.message.LeaseAccepted;
import io.synod.core.message.LeasePrepare;
import io.synod.core.message.LeasePromise;
import io.synod.core.message.LeasePropose;
import io.synod.core.message.LeaseRelease;

/**
 * {@code --election paxoslease}: PaxosLease (seed 000; Trencseni, Gazsó, Reinhardt 2012), a master lease granted by a
 * majority of diskless lease acceptors, and the lease holder is the master.
 *
 * <p><b>Proposer.</b> To take or renew the lease a node runs two phases in a lease ballot above every one it has seen.
 * It starts its timer <em>before</em> it sends {@link LeasePrepare}, so its lease (timed from then) ends before any
 * acceptor's (timed from when each accepted). With promises from a majority and no other holder's live lease among
 * them, it sends {@link LeasePropose} with its first unchosen slot; with a majority of accepts it holds the lease until
 * {@code start + leaseMs} on its own clock. It renews at half the lease and releases the lease on a clean shutdown.
 *
 * <p><b>Acceptor.</b> It keeps its promise and the lease it accepted in memory only. So that forgetting them in a
 * restart is harmless, it takes no part for one full lease period after it starts (the startup wait): any lease it
 * granted before has run out by then. It refuses a proposer whose first unchosen slot is behind its own (that node
 * catches up and tries again), and while it sees a live lease it refuses Paxos prepares from anyone but the holder, so
 * no other node can lead the log while the master serves local reads.
 *
 * <p><b>The master.</b> On winning the lease it makes its proposer lead (phase 1 once for every slot from its first
 * unchosen one) and proposes a command of its own term; once that is chosen (so everything chosen before it is known
 * here) it may serve local reads while its lease has more than {@code maxDriftMs} left.
 *
 * <p>Not final only so that tests can plant bugs through its hooks ({@link #startupWaitMs}, {@link #readMarginMs},
 * {@link #waitsForItsTerm}); production code never subclasses it.
 */
public class PaxosLeaseElection implements Election {
    /** First byte of the election command a new master proposes to mark its term: 'T'. */
    private static final byte TERM_MARK = 'T';

    /** A lease round in progress. */
    private static final class Round {
        final Ballot ballot;
        final long startedAtMs;
        long granted;
        long refused;
        boolean proposing;
        /** The request of the current phase, and when it last went out (resent to the silent until answered). */
        ElectionMessage request;
        long sentAtMs;
        /** The longest time any promise said another holder's lease still has. */
        long otherHolderMs = -1;

        Round(Ballot ballot, long startedAtMs) {
            this.ballot = ballot;
            this.startedAtMs = startedAtMs;
        }
    }

    private final ElectionContext context;
    private final int self;
    private final int majority;
    private final long leaseMs;
    private final long maxDriftMs;
    private final long roundTimeoutMs;

    private long startedAtMs = Long.MIN_VALUE;

    // ----- acceptor, in memory only -----
    private Ballot promised = Ballot.ZERO;
    private Ballot acceptedBallot = Ballot.ZERO;
    private int acceptedHolder = NO_MASTER;
    private long acceptedUntilMs = Long.MIN_VALUE;
    /**
     * The last node heard proposing itself, and until when that is worth believing: only a hint of where the master
     * is (for forwarding), even when this acceptor refused the proposal (in its startup wait, say). Never used for
     * safety.
     */
    private int heardHolder = NO_MASTER;
    private long heardUntilMs = Long.MIN_VALUE;

    // ----- proposer -----
    private Ballot highestSeen = Ballot.ZERO;
    private Round round;
    private long nextAttemptAtMs = Long.MIN_VALUE;
    /** Rounds lost in a row: the backoff window doubles with each (duelling proposers, seed 003). */
    private int failures;
    /** This node holds the lease until then, on its own clock (MIN_VALUE: it does not). */
    private long leaseUntilMs = Long.MIN_VALUE;
    /** When the round that won the current lease started: renewal is due half a lease later. */
    private long leaseStartedAtMs;
    /** The term command of the current lease was chosen: this master knows everything chosen before its term. */
    private boolean serving;
    /** Counts term commands, so that only the newest one of this node makes it serve. */
    private long termSeq;
    /** The request id of this node's latest term command: only that one, chosen, lets it read locally. */
    private long termRequestId;
    /** The highest ballot this node has proposed in: what a release names. */
    private Ballot highestOwnBallot = Ballot.ZERO;
    private boolean released;

    public PaxosLeaseElection(ElectionContext context) {
        this.context = context;
        this.self = context.config().nodeId();
        this.majority = context.config().members().size() / 2 + 1;
        this.leaseMs = context.config().leaseMs();
        this.maxDriftMs = context.config().maxDriftMs();
        // A round that takes longer than half a lease would win a lease already half gone: give it up by then.
        this.roundTimeoutMs = Math.max(1, leaseMs / 2);
    }

    @Override
    public String name() {
        return "paxoslease";
    }

    private void start(long nowMs) {
        if (startedAtMs == Long.MIN_VALUE) {
            startedAtMs = nowMs;
        }
    }

    /** Whether the acceptor is still in its startup wait: it takes no part until one full lease has passed. */
    private boolean waitingAtStartup(long nowMs) {
        return startedAtMs == Long.MIN_VALUE || nowMs < startedAtMs + startupWaitMs();
    }

    /** How long the acceptor takes no part after it starts: one full lease. */
    protected long startupWaitMs() {
        return leaseMs;
    }

    /**
     * Whether a new master waits for its term command to be chosen before it reads locally (so that it knows
     * everything chosen before its term). A test hook; always true.
     */
    protected boolean waitsForItsTerm() {
        return true;
    }

    /** How much of its lease the master gives up to clock drift before it stops reading locally. */
    protected long readMarginMs() {
        return maxDriftMs;
    }

    private boolean holds(long nowMs) {
        return nowMs < leaseUntilMs;
    }

    private boolean seesOtherLease(long nowMs) {
        return acceptedHolder != NO_MASTER && acceptedHolder != self && nowMs < acceptedUntilMs;
    }

    private void observe(Ballot ballot) {
        if (ballot.greaterThan(highestSeen)) {
            highestSeen = ballot;
        }
    }

    // ----- messages -----

    @Override
    public void onMessage(int from, ElectionMessage message, long nowMs) {
        start(nowMs);
        switch (message) {
            case LeasePrepare prepare -> onPrepare(from, prepare, nowMs);
            case LeasePromise promise -> onPromise(from, promise, nowMs);
            case LeasePropose propose -> onPropose(from, propose, nowMs);
            case LeaseAccepted accepted -> onAccepted(from, accepted, nowMs);
            case LeaseRelease release -> {
                if (heardHolder == release.holder()) {
                    heardHolder = NO_MASTER; // the hint too: it is gone
                }
                // The release names the highest ballot its sender ever proposed in: any lease of its accepted in a
                // ballot up to that one is released (a renewal the holder gave up on included).
                if (acceptedHolder == release.holder() && !acceptedBallot.greaterThan(release.ballot())) {
                    acceptedHolder = NO_MASTER;
                    acceptedUntilMs = Long.MIN_VALUE;
                    nextAttemptAtMs = Math.min(nextAttemptAtMs, nowMs); // the lease is free: try for it now
                }
            }
        }
    }

    private void onPrepare(int from, LeasePrepare prepare, long nowMs) {
        observe(prepare.ballot());
        if (waitingAtStartup(nowMs) || !prepare.ballot().greaterThan(promised)) {
            context.send(from, new LeasePromise(prepare.ballot(), false, NO_MASTER, 0));
            return;
        }
        promised = prepare.ballot();
        if (prepare.ballot().nodeId() != self && !holds(nowMs)) {
            // Someone else is trying: give its round time to finish before trying ourselves.
            nextAttemptAtMs = Math.max(nextAttemptAtMs, nowMs + roundTimeoutMs + backoff());
        }
        boolean live = acceptedHolder != NO_MASTER && nowMs < acceptedUntilMs;
        context.send(from, new LeasePromise(prepare.ballot(), true, live ? acceptedHolder : NO_MASTER,
                live ? acceptedUntilMs - nowMs : 0));
    }

    private void onPropose(int from, LeasePropose propose, long nowMs) {
        observe(propose.ballot());
        heardHolder = propose.holder();
        heardUntilMs = nowMs + propose.leaseMs();
        long mine = context.log().firstUnchosen();
        if (waitingAtStartup(nowMs) || promised.greaterThan(propose.ballot()) || propose.firstUnchosen() < mine) {
            context.send(from, new LeaseAccepted(propose.ballot(), false, mine));
            return;
        }
        promised = propose.ballot();
        acceptedBallot = propose.ballot();
        acceptedHolder = propose.holder();
        acceptedUntilMs = nowMs + propose.leaseMs();
        context.send(from, new LeaseAccepted(propose.ballot(), true, mine));
    }

    private void onPromise(int from, LeasePromise promise, long nowMs) {
        Round r = round;
        if (r == null || r.proposing || !promise.ballot().equals(r.ballot)) {
            return;
        }
        if (!promise.granted()) {
            r.refused |= 1L << from;
            if (Long.bitCount(r.refused) >= majority) {
                giveUp(nowMs, backoff());
            }
            return;
        }
        r.granted |= 1L << from;
        if (promise.holder() != NO_MASTER && promise.holder() != self) {
            r.otherHolderMs = Math.max(r.otherHolderMs, promise.leaseMs());
        }
        if (Long.bitCount(r.granted) < majority) {
            return;
        }
        if (r.otherHolderMs >= 0) {
            giveUp(nowMs, r.otherHolderMs + backoff()); // someone else's lease is open: wait for it to end
            return;
        }
        r.proposing = true;
        r.granted = 0;
        r.refused = 0;
        send(r, new LeasePropose(r.ballot, self, leaseMs, context.log().firstUnchosen()), nowMs);
    }

    private void onAccepted(int from, LeaseAccepted accepted, long nowMs) {
        Round r = round;
        if (r == null || !r.proposing || !accepted.ballot().equals(r.ballot)) {
            return;
        }
        if (!accepted.granted()) {
            r.refused |= 1L << from;
            if (Long.bitCount(r.refused) >= majority) {
                // Refused for being behind: catch-up runs meanwhile; try again soon.
                giveUp(nowMs, accepted.firstUnchosen() > context.log().firstUnchosen() ? roundTimeoutMs : backoff());
            }
            return;
        }
        r.granted |= 1L << from;
        if (Long.bitCount(r.granted) < majority) {
            return;
        }
        boolean renewal = holds(nowMs);
        failures = 0;
        leaseUntilMs = r.startedAtMs + leaseMs;
        leaseStartedAtMs = r.startedAtMs;
        round = null;
        if (!renewal) {
            startTerm(nowMs);
        }
    }

    private void send(Round r, ElectionMessage request, long nowMs) {
        r.request = request;
        r.sentAtMs = nowMs;
        context.broadcast(request);
    }

    /** A new master, or one whose leadership was pre-empted: lead, and mark the term with a command of its own. */
    private void startTerm(long nowMs) {
        serving = !waitsForItsTerm();
        termSeq++;
        termRequestId = context.random().nextLong();
        context.propose(termRequestId, termCommand());
        context.lead(nowMs);
    }

    /** The term command: the mark, this node's id (4 bytes) and the term's sequence number (8 bytes), big-endian. */
    private byte[] termCommand() {
        byte[] bytes = new byte[13];
        bytes[0] = TERM_MARK;
        for (int i = 0; i < 4; i++) {
            bytes[1 + i] = (byte) (self >>> (24 - 8 * i));
        }
        for (int i = 0; i < 8; i++) {
            bytes[5 + i] = (byte) (termSeq >>> (56 - 8 * i));
        }
        return bytes;
    }

    private void giveUp(long nowMs, long waitMs) {
        round = null;
        failures = Math.min(failures + 1, 16);
        nextAttemptAtMs = Math.max(nextAttemptAtMs, nowMs + Math.max(1, waitMs));
    }

    /** A random wait within a window that doubles with each lost round, up to half a lease. */
    private long backoff() {
        long window = Math.min(Math.max(1, leaseMs / 2), roundTimeoutMs << Math.min(failures, 16));
        return 1 + context.random().nextLong(Math.max(1, window));
    }

    // ----- time -----

    @Override
    public void tick(long nowMs) {
        start(nowMs);
        if (leaseUntilMs != Long.MIN_VALUE && !holds(nowMs)) {
            leaseUntilMs = Long.MIN_VALUE;
            serving = false;
            context.stepDown(nowMs);
        }
        if (acceptedUntilMs != Long.MIN_VALUE && nowMs >= acceptedUntilMs) {
            acceptedHolder = NO_MASTER;
            acceptedUntilMs = Long.MIN_VALUE;
        }
        if (round != null && nowMs - round.startedAtMs >= roundTimeoutMs) {
            giveUp(nowMs, backoff());
        } else if (round != null && nowMs - round.sentAtMs >= context.config().retransmitMs()) {
            round.sentAtMs = nowMs; // a lost request or answer: ask again those who have not answered
            for (int member : context.config().members()) {
                if (((round.granted | round.refused) & (1L << member)) == 0) {
                    context.send(member, round.request);
                }
            }
        }
        if (round == null && nowMs >= attemptAtMs()) {
            Ballot ballot = (highestSeen.greaterThan(promised) ? highestSeen : promised).next(self);
            Invariants.check(ballot.greaterThan(highestSeen), "lease ballot %s not above %s", ballot, highestSeen);
            observe(ballot);
            round = new Round(ballot, nowMs); // the timer starts before the request goes out
            highestOwnBallot = ballot;
            send(round, new LeasePrepare(ballot), nowMs);
        }
    }

    /**
     * When the proposer next tries for the lease, with no round in progress: not before its own startup wait ends, at
     * half the lease when it holds it, after another holder's lease ends, and not during a backoff.
     */
    private long attemptAtMs() {
        if (released || startedAtMs == Long.MIN_VALUE) {
            return Long.MAX_VALUE;
        }
        long at = Math.max(nextAttemptAtMs, startedAtMs + startupWaitMs());
        if (leaseUntilMs != Long.MIN_VALUE) {
            at = Math.max(at, leaseStartedAtMs + leaseMs / 2);
        } else if (acceptedHolder != NO_MASTER && acceptedHolder != self) {
            at = Math.max(at, acceptedUntilMs);
        }
        return at;
    }

    @Override
    public long wakeAtMs() {
        long wake = round != null ? Math.min(round.startedAtMs + roundTimeoutMs,
                round.sentAtMs + context.config().retransmitMs()) : attemptAtMs();
        if (leaseUntilMs != Long.MIN_VALUE) {
            wake = Math.min(wake, leaseUntilMs);
        }
        if (acceptedUntilMs != Long.MIN_VALUE) {
            wake = Math.min(wake, acceptedUntilMs);
        }
        return wake;
    }

    // ----- the proposer's questions -----

    @Override
    public boolean mayCampaign(long nowMs) {
        return holds(nowMs);
    }

    @Override
    public long nextCampaignAtMs(long nowMs) {
        return holds(nowMs) ? nowMs : Long.MAX_VALUE;
    }

    @Override
    public boolean acceptsProposals(long nowMs) {
        return holds(nowMs);
    }

    @Override
    public boolean allowsPrepare(int from, Ballot ballot, long nowMs) {
        return !waitingAtStartup(nowMs) && !(acceptedHolder != NO_MASTER && nowMs < acceptedUntilMs
                && from != acceptedHolder);
    }

    @Override
    public void onElected(long nowMs) {
        // Serving waits for the term command, proposed when the lease was won.
    }

    @Override
    public void onProgress(long nowMs) {
    }

    @Override
    public void onPreempted(long nowMs) {
        serving = false; // a new leadership must commit its own term again before it reads locally
        if (holds(nowMs) && !released) {
            startTerm(nowMs);
        }
    }

    @Override
    public void onChosen(long slot, Command command, long nowMs) {
        // The request id, not the payload, says it is this term's command: a restarted node counts its terms from 1
        // again, and one of its earlier run's term commands, learned late, must not let it read locally.
        if (command.origin() == self && termSeq > 0 && command.requestId() == termRequestId && holds(nowMs)
                && context.role() == Role.LEADER) {
            serving = true;
        }
    }

    @Override
    public void release(long nowMs) {
        released = true;
        if (holds(nowMs) || round != null) {
            context.broadcast(new LeaseRelease(highestOwnBallot, self));
        }
        leaseUntilMs = Long.MIN_VALUE;
        serving = false;
        round = null;
        context.stepDown(nowMs);
    }

    @Override
    public byte[] stateAt(long slot) {
        return new byte[0]; // nothing of this election is in the log
    }

    @Override
    public void restore(long slot, byte[] state) {
    }

    @Override
    public Mastership mastership(long nowMs) {
        if (holds(nowMs)) {
            return new Mastership(self, serving && (context.role() == Role.LEADER || !waitsForItsTerm()) ? leaseUntilMs - readMarginMs()
                    : Long.MIN_VALUE);
        }
        if (acceptedHolder != NO_MASTER && nowMs < acceptedUntilMs) {
            return new Mastership(acceptedHolder, Long.MIN_VALUE);
        }
        return new Mastership(nowMs < heardUntilMs && heardHolder != self ? heardHolder : NO_MASTER, Long.MIN_VALUE);
    }
}
