package io.synod.sim;

/**
 * One node's clock: it runs at its own rate (drift) from its own offset, and never goes backwards. The simulator keeps
 * global time; a node only ever sees its local time.
 */
final class SimClock {
    private final long offsetMs;
    private final double rate;

    /** @param driftPpm rate error in parts per million, positive runs fast */
    SimClock(long offsetMs, long driftPpm) {
        this.offsetMs = offsetMs;
        this.rate = 1.0 + driftPpm / 1_000_000.0;
    }

    /** Local time at global time {@code globalMs}. */
    long local(long globalMs) {
        return offsetMs + (long) Math.floor(globalMs * rate);
    }

    /** The earliest global time at which local time reaches {@code localMs}. */
    long globalAt(long localMs) {
        if (localMs == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long global = Math.max(0, (long) Math.floor((localMs - offsetMs) / rate) - 1);
        while (local(global) < localMs) {
            global++;
        }
        return global;
    }
}
