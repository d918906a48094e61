package io.synod.core.election;

import io.synod.core.Ballot;
import io.synod.core.Command;
import io.synod.core.message.ElectionMessage;
import java.util.random.RandomGenerator;

/**
 * {@code --election none}: no master. Any node with work runs phase 1; two nodes that keep pre-empting each other back
 * off for a random time within a window that doubles after every collision and resets after a success (seed 003,
 * resolution strategy; seed 004, "Liveness and Dueling Proposers"). Success means a value it proposed was chosen,
 * not merely winning phase 1: nodes that keep winning phase 1 and losing the slots right after are still duelling.
 *
 * <p>It has no messages, no commands of its own and no lease: nobody is master and nobody reads locally.
 */
public final class NoMasterElection implements Election {
    private final RandomGenerator random;
    private final long baseMs;
    private final long maxMs;
    private long windowMs;
    private long notBeforeMs;

    /**
     * @param random the node's seeded random source
     * @param baseMs the first backoff window
     * @param maxMs the largest backoff window
     */
    public NoMasterElection(RandomGenerator random, long baseMs, long maxMs) {
        if (baseMs < 1 || maxMs < baseMs) {
            throw new IllegalArgumentException("backoff needs 1 <= base <= max");
        }
        this.random = random;
        this.baseMs = baseMs;
        this.maxMs = maxMs;
        this.windowMs = baseMs;
    }

    @Override
    public String name() {
        return "none";
    }

    @Override
    public void onMessage(int from, ElectionMessage message, long nowMs) {
        // This election has no messages of its own; a peer running another election sent this. Ignore it.
    }

    @Override
    public void tick(long nowMs) {
        // No timers: the backoff is read by mayCampaign.
    }

    @Override
    public long wakeAtMs() {
        return Long.MAX_VALUE;
    }

    @Override
    public boolean allowsPrepare(int from, Ballot ballot, long nowMs) {
        return true;
    }

    @Override
    public void onChosen(long slot, Command command, long nowMs) {
        // This election proposes nothing.
    }

    @Override
    public void release(long nowMs) {
        // Holds nothing.
    }

    @Override
    public boolean mayCampaign(long nowMs) {
        return nowMs >= notBeforeMs;
    }

    @Override
    public long nextCampaignAtMs(long nowMs) {
        return Math.max(nowMs, notBeforeMs);
    }

    @Override
    public void onElected(long nowMs) {
        // Winning phase 1 is not yet success: see onProgress.
    }

    @Override
    public void onProgress(long nowMs) {
        windowMs = baseMs;
    }

    @Override
    public void onPreempted(long nowMs) {
        notBeforeMs = nowMs + 1 + random.nextLong(windowMs);
        windowMs = Math.min(maxMs, windowMs * 2);
    }

    @Override
    public boolean acceptsProposals(long nowMs) {
        return true;
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
        return Mastership.NONE;
    }

    /** The current backoff window, for tests and status. */
    public long windowMs() {
        return windowMs;
    }
}
