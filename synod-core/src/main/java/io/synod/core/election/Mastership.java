package io.synod.core.election;

/**
 * What a node's election says about mastership at one moment: who is master, and whether and until when this node
 * may answer reads from its own state without asking anyone (a lease read).
 *
 * @param master the node this one believes is master, or {@link Election#NO_MASTER}
 * @param localReadsUntilMs this node may serve local reads while its monotonic clock reads below this; a time in the
 *     past ({@link Long#MIN_VALUE} when never) means it may not. Only a master holding a lease has a future time here,
 *     and the election has already taken the allowed clock drift off it.
 */
public record Mastership(int master, long localReadsUntilMs) {
    /** No master known, no local reads. */
    public static final Mastership NONE = new Mastership(Election.NO_MASTER, Long.MIN_VALUE);

    /** Whether this node may serve a local read at {@code nowMs}. */
    public boolean mayReadLocally(long nowMs) {
        return nowMs < localReadsUntilMs;
    }
}
