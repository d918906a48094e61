package io.synod.replica;

/**
 * When the replica takes its next snapshot: once the log written since the last one has grown past a fraction of
 * that snapshot's size (as Redis rewrites its append-only file once it has grown by {@code auto-aof-rewrite-percentage}
 * above a minimum size), or once a number of slots has been applied since it, whichever comes first.
 *
 * <p>Why the log's size: a snapshot costs its whole size to write, and it saves replaying the log written since the
 * previous one. Taking one when that log is {@code logRatio} times the snapshot's size keeps the work of snapshotting
 * proportional to the work of writing the log, whatever the size of the store: a store of a million keys snapshots
 * a hundred times less often than a store of ten thousand, at the same write rate. The minimum keeps a small store
 * from snapshotting after every few commands; the slot bound caps a log whose slots carry few bytes (the election's
 * renewals), so recovery never replays more than that many slots.
 *
 * <p>"Log bytes" are what the replica counts as it applies: the payload bytes of every command of every applied slot,
 * plus {@link #SLOT_OVERHEAD_BYTES} per slot for the records' framing. The same counting on every replica, and the
 * policy reads no clock, so the simulator stays deterministic.
 *
 * <p>Contract: immutable; {@link #due} is a pure function of its arguments.
 *
 * @param logRatio snapshot once the log since the last snapshot is at least this many times the last snapshot's size
 *     (0: never because of the log's size); not negative
 * @param minLogBytes but never before the log since the last snapshot holds this many bytes; not negative
 * @param maxSlots snapshot at the latest once this many slots are applied since the last snapshot (0: no slot bound);
 *     not negative
 */
public record SnapshotPolicy(double logRatio, long minLogBytes, long maxSlots) {
    /** Takes no snapshot at all. */
    public static final SnapshotPolicy NEVER = new SnapshotPolicy(0, 0, 0);

    /** What the replica counts for a slot on top of its commands' payloads (slot, ballot, lengths, checksums). */
    public static final int SLOT_OVERHEAD_BYTES = 32;

    public SnapshotPolicy {
        if (!(logRatio >= 0) || Double.isInfinite(logRatio) || minLogBytes < 0 || maxSlots < 0) {
            throw new IllegalArgumentException("a snapshot policy needs a finite logRatio >= 0, minLogBytes >= 0 and"
                    + " maxSlots >= 0, not " + logRatio + ", " + minLogBytes + ", " + maxSlots);
        }
    }

    /** A snapshot every {@code slots} applied slots, whatever their size (0: never). */
    public static SnapshotPolicy everySlots(long slots) {
        return new SnapshotPolicy(0, 0, slots);
    }

    /** Whether this policy ever takes a snapshot. */
    public boolean enabled() {
        return logRatio > 0 || maxSlots > 0;
    }

    /**
     * Whether a snapshot is due.
     *
     * @param slotsSince slots applied since the last snapshot (since slot 0 if none)
     * @param logBytesSince log bytes counted since the last snapshot
     * @param snapshotBytes the size of the last snapshot (0 if none)
     */
    public boolean due(long slotsSince, long logBytesSince, long snapshotBytes) {
        return dueTimes(1, slotsSince, logBytesSince, snapshotBytes);
    }

    /**
     * Whether a snapshot is due even at {@code factor} times every threshold: a replica that is serving its snapshot
     * to a peer defers the next one until then, so the transfer need not start over, but not for ever.
     */
    public boolean overdue(int factor, long slotsSince, long logBytesSince, long snapshotBytes) {
        return dueTimes(factor, slotsSince, logBytesSince, snapshotBytes);
    }

    private boolean dueTimes(int factor, long slotsSince, long logBytesSince, long snapshotBytes) {
        if (slotsSince <= 0) {
            return false;
        }
        if (maxSlots > 0 && slotsSince >= factor * maxSlots) {
            return true;
        }
        if (logRatio <= 0) {
            return false;
        }
        double threshold = Math.max((double) minLogBytes, logRatio * snapshotBytes);
        return logBytesSince >= factor * threshold;
    }
}
