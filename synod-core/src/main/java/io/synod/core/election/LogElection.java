package io.synod.core.election;

import io.synod.core.Ballot;
import io.synod.core.Command;
import io.synod.core.Invariants;
import io.synod.core.Role;
import io.synod.core.message.ElectionMessage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code --election log}: master election through the log (seed 002). A node becomes master by getting a
 * {@code BeMaster(node, version, leaseMs)} command chosen in the log; every node applies these commands in slot order,
 * so every node agrees on who is master and on the version.
 *
 * <p><b>The optimistic lock.</b> A BeMaster carries the version its proposer read as current. It takes effect only if
 * that is still the current version when it is applied (then the version goes up by one); otherwise it is applied as a
 * no-op. So of two nodes that both try after a master's term ends, only the first one chosen wins, and a stale
 * takeover (seed 002's example) changes nothing.
 *
 * <p><b>Terms and timers.</b> The new master's term runs from the moment it sent its request, for {@code leaseMs} on its
 * own clock; every other node's view of the term runs from when it learned the command, so it ends later. A node may
 * try to become master only after its view of the current term has ended, after one full lease since it started (its
 * view of the log is fresh by then), and when no peer has reported a commit index ahead of its own (it has not missed
 * a BeMaster). The master renews with a BeMaster of the next version a third of the way into its term, so that a
 * lost round can be tried again before the term ends. While a node sees a live term
 * it refuses Paxos prepares from anyone but the master.
 *
 * <p><b>Local reads.</b> The master's own BeMaster is an entry of its own term: once it is chosen (everything before it
 * is known here) and while this node leads the log, the master may read locally until its term less the drift.
 *
 * <p>Its state is part of the replicated state: {@link #stateAt} gives it as of a slot for snapshots, and
 * {@link #restore} takes it back. Not final only so that tests can plant a bug through {@link #checksVersion}.
 */
public class LogElection implements Election {
    private static final byte MARK = 'B';
    /** Most entries of the version history kept for snapshots. */
    private static final int HISTORY_MAX = 1024;

    /** The effect of one valid BeMaster: the version after it, who is master, and for how long. */
    private record Term(long version, int holder, long leaseMs) {
        static final Term NONE = new Term(0, NO_MASTER, 0);
    }

    private final ElectionContext context;
    private final int self;
    private final long leaseMs;
    private final long maxDriftMs;

    /** Every valid BeMaster by slot (the latest ones): what {@link #stateAt} answers from. */
    private final TreeMap<Long, Term> history = new TreeMap<>();
    private boolean historyTrimmed;
    private long restoredAt = -1;
    private Term base = Term.NONE;
    private Term current = Term.NONE;

    private long startedAtMs = Long.MIN_VALUE;
    /** When this node learned the current term (its view of it starts then); MIN_VALUE: at start. */
    private long learnedAtMs = Long.MIN_VALUE;
    /** This node's own term ends then, on its own clock (MIN_VALUE: it is not master). */
    private long termUntilMs = Long.MIN_VALUE;
    private long termStartedAtMs;
    private boolean serving;
    private boolean released;

    /** The version our queued BeMaster carries, while we want it chosen (-1: none wanted). */
    private long wantVersion = -1;
    /** After a lost campaign, this node runs phase 1 again only from then (randomized, doubling: seed 003). */
    private long campaignNotBeforeMs = Long.MIN_VALUE;
    /**
     * When our recent BeMasters went out, by request id (the earliest, if one was sent twice): one chosen late, after
     * we gave up waiting for it, still starts our term from when it went out. Keyed by request id, not by version, so
     * that a BeMaster of an earlier run of this node (same node, same version) is not taken for ours. Bounded.
     */
    private final LinkedHashMap<Long, Long> sentAtByRequest = new LinkedHashMap<>();
    /** The request id of the BeMaster we want chosen (meaningful while {@link #wanting()}). */
    private long wantRequestId;
    /** A random delay added to the end of the term this node sees, so that nodes do not all try at once. */
    private long jitterMs;
    private int failures;
    /** Our BeMaster in flight was there when our leadership was pre-empted: a new leader may re-propose it. */
    private boolean proposedBeforePreemption;
    /** This node led the log while it wanted its BeMaster chosen: the BeMaster may have gone out then. */
    private boolean ledWhileWanting;

    public LogElection(ElectionContext context) {
        this.context = context;
        this.self = context.config().nodeId();
        this.leaseMs = context.config().leaseMs();
        this.maxDriftMs = context.config().maxDriftMs();
    }

    @Override
    public String name() {
        return "log";
    }

    /** Whether BeMasters are checked against the current version (the optimistic lock). A test hook; always true. */
    protected boolean checksVersion() {
        return true;
    }

    private void start(long nowMs) {
        if (startedAtMs == Long.MIN_VALUE) {
            startedAtMs = nowMs;
        }
        if (learnedAtMs == Long.MIN_VALUE) {
            learnedAtMs = nowMs; // what it knows of the current term it learned at start: wait a full term
        }
    }

    private boolean isMaster(long nowMs) {
        return current.holder() == self && nowMs < termUntilMs;
    }

    /** Whether this node's view of the current term is live. */
    private boolean termLive(long nowMs) {
        if (current.holder() == NO_MASTER) {
            return false;
        }
        return current.holder() == self && termUntilMs != Long.MIN_VALUE ? nowMs < termUntilMs
                : nowMs < learnedAtMs + current.leaseMs();
    }

    // ----- the log -----

    @Override
    public void onChosen(long slot, Command command, long nowMs) {
        start(nowMs);
        byte[] payload = command.payload();
        if (payload.length != 21 || payload[0] != MARK) {
            return; // not a BeMaster: ignore, on every node alike
        }
        int node = readInt(payload, 1);
        long version = readLong(payload, 5);
        long lease = readLong(payload, 13);
        Long sentAt = command.origin() == self && node == self ? sentAtByRequest.get(command.requestId()) : null;
        boolean ours = sentAt != null;
        if (checksVersion() && version != current.version()) {
            return; // a stale BeMaster: a no-op
        }
        current = new Term(current.version() + 1, node, lease);
        history.put(slot, current);
        if (history.size() > HISTORY_MAX) {
            history.pollFirstEntry();
            historyTrimmed = true;
        }
        learnedAtMs = nowMs;
        jitterMs = context.random().nextLong(Math.max(1, leaseMs / 4));
        sentAtByRequest.clear(); // every BeMaster still out carries an old version now: none can take effect
        wantVersion = -1;
        if (node == self && ours) {
            failures = 0;
            campaignNotBeforeMs = Long.MIN_VALUE;
            termStartedAtMs = sentAt;
            termUntilMs = sentAt + lease; // the term runs from when the request went out
            // It is an entry of our own term only if this leadership proposed it; one re-proposed from an earlier
            // leadership may sit below slots the new leadership has not seen chosen yet.
            serving = context.role() == Role.LEADER && !proposedBeforePreemption;
        } else {
            // Another master, or a BeMaster of ours whose sending time this process does not know: no term of ours.
            termUntilMs = Long.MIN_VALUE;
            serving = false;
        }
    }

    @Override
    public byte[] stateAt(long slot) {
        Map.Entry<Long, Term> entry = history.lowerEntry(slot);
        Term term;
        if (entry != null) {
            term = entry.getValue();
        } else {
            Invariants.check(!historyTrimmed, "BeMaster history no longer reaches back to slot %d", slot);
            Invariants.check(restoredAt < 0 || slot >= restoredAt, "state asked for slot %d before the restored %d",
                    slot, restoredAt);
            term = base;
        }
        byte[] bytes = new byte[20];
        writeLong(bytes, 0, term.version());
        writeInt(bytes, 8, term.holder());
        writeLong(bytes, 12, term.leaseMs());
        return bytes;
    }

    @Override
    public void restore(long slot, byte[] state) {
        Term term = state.length == 20 ? new Term(readLong(state, 0), readInt(state, 8), readLong(state, 12))
                : Term.NONE;
        base = term;
        current = term;
        history.clear();
        historyTrimmed = false;
        restoredAt = slot;
        termUntilMs = Long.MIN_VALUE;
        serving = false;
        sentAtByRequest.clear();
        learnedAtMs = Long.MIN_VALUE; // the term is as fresh as if learned now: wait for it
    }

    // ----- time -----

    @Override
    public void tick(long nowMs) {
        start(nowMs);
        if (termUntilMs != Long.MIN_VALUE && nowMs >= termUntilMs) {
            termUntilMs = Long.MIN_VALUE; // our term ran out without a renewal chosen
            serving = false;
            context.stepDown(nowMs);
        }
        if (released || wanting() || nowMs < attemptAtMs()) {
            return;
        }
        // Queue one BeMaster for the current version; the proposer campaigns for it when the election lets it.
        long requestId = context.random().nextLong();
        if (!context.propose(requestId, beMaster(current.version()))) {
            backOff(nowMs);
            return;
        }
        wantVersion = current.version();
        wantRequestId = requestId;
        proposedBeforePreemption = false;
        ledWhileWanting = context.role() == Role.LEADER;
        sentAtByRequest.put(requestId, nowMs); // the term would run from now: before it goes out
        while (sentAtByRequest.size() > 8) {
            sentAtByRequest.remove(sentAtByRequest.keySet().iterator().next());
        }
    }

    /** Whether this node wants its queued BeMaster chosen. */
    private boolean wanting() {
        return wantVersion >= 0 && wantVersion == current.version();
    }

    /** When this node next proposes a BeMaster: renewal a third into its term; else once the term it sees ended. */
    private long attemptAtMs() {
        if (released || startedAtMs == Long.MIN_VALUE) {
            return Long.MAX_VALUE;
        }
        if (context.log().highestKnownCommitted() > context.log().firstUnchosen()) {
            // Behind: a BeMaster may be among what it has not learned yet. Catching up steps the node, which asks
            // again; no timer is needed for it.
            return Long.MAX_VALUE;
        }
        long at = startedAtMs + leaseMs;
        if (termUntilMs != Long.MIN_VALUE) {
            return Math.max(at, termStartedAtMs + leaseMs / 3);
        }
        if (current.holder() != NO_MASTER) {
            at = Math.max(at, learnedAtMs + current.leaseMs() + jitterMs);
        }
        return at;
    }

    /** The randomized exponential backoff of duelling candidates (seed 003), with the node's backoff bounds. */
    private void backOff(long nowMs) {
        failures = Math.min(failures + 1, 30);
        long window = Math.min(context.config().backoffMaxMs(), context.config().backoffBaseMs() << failures);
        campaignNotBeforeMs = nowMs + 1 + context.random().nextLong(Math.max(1, window));
    }

    @Override
    public long wakeAtMs() {
        long wake = wanting() ? Long.MAX_VALUE : attemptAtMs();
        if (termUntilMs != Long.MIN_VALUE) {
            wake = Math.min(wake, termUntilMs);
        }
        return wake;
    }

    private byte[] beMaster(long version) {
        byte[] bytes = new byte[21];
        bytes[0] = MARK;
        writeInt(bytes, 1, self);
        writeLong(bytes, 5, version);
        writeLong(bytes, 13, leaseMs);
        return bytes;
    }

    // ----- the proposer's questions -----

    @Override
    public void onMessage(int from, ElectionMessage message, long nowMs) {
        // This election speaks through the log only.
    }

    @Override
    public boolean mayCampaign(long nowMs) {
        return isMaster(nowMs) || (wanting() && nowMs >= campaignNotBeforeMs);
    }

    @Override
    public long nextCampaignAtMs(long nowMs) {
        return isMaster(nowMs) ? nowMs : wanting() ? Math.max(nowMs, campaignNotBeforeMs) : Long.MAX_VALUE;
    }

    @Override
    public boolean acceptsProposals(long nowMs) {
        return isMaster(nowMs);
    }

    @Override
    public boolean allowsPrepare(int from, Ballot ballot, long nowMs) {
        return from == current.holder() || !termLive(nowMs);
    }

    @Override
    public void onElected(long nowMs) {
        if (wanting() && !proposedBeforePreemption) {
            // The queued BeMaster goes out in this leadership's first Accepts, not before: its term starts now, so
            // the time spent winning phase 1 does not eat into it.
            sentAtByRequest.put(wantRequestId, nowMs);
        }
        ledWhileWanting = wanting();
    }

    @Override
    public void onProgress(long nowMs) {
    }

    @Override
    public void onPreempted(long nowMs) {
        serving = false; // its next BeMaster, chosen while it leads, lets it read locally again
        if (wanting()) {
            proposedBeforePreemption |= ledWhileWanting;
            backOff(nowMs); // duelling candidates: wait a random, doubling while before the next campaign
        }
        ledWhileWanting = false;
    }

    @Override
    public void release(long nowMs) {
        released = true;
        termUntilMs = Long.MIN_VALUE;
        serving = false;
        wantVersion = -1;
        context.stepDown(nowMs);
    }

    @Override
    public Mastership mastership(long nowMs) {
        if (isMaster(nowMs)) {
            return new Mastership(self, serving && context.role() == Role.LEADER ? termUntilMs - maxDriftMs
                    : Long.MIN_VALUE);
        }
        return new Mastership(termLive(nowMs) ? current.holder() : NO_MASTER, Long.MIN_VALUE);
    }

    // ----- bytes, big-endian -----

    private static void writeInt(byte[] bytes, int at, int value) {
        for (int i = 0; i < 4; i++) {
            bytes[at + i] = (byte) (value >>> (24 - 8 * i));
        }
    }

    private static void writeLong(byte[] bytes, int at, long value) {
        for (int i = 0; i < 8; i++) {
            bytes[at + i] = (byte) (value >>> (56 - 8 * i));
        }
    }

    private static int readInt(byte[] bytes, int at) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value = (value << 8) | (bytes[at + i] & 0xff);
        }
        return value;
    }

    private static long readLong(byte[] bytes, int at) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[at + i] & 0xff);
        }
        return value;
    }
}
