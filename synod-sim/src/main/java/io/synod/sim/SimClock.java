package io.synod.sim;

/**
 * One node's clock: it runs at its own rate (drift) from its own offset, jumps forward now and then (a VM paused and
 * resumed, an NTP step of a clock that should have been monotonic), and never goes backwards. The simulator keeps
 * global time; a node only ever sees its local time.
 *
 * <p>Jumps are kept within the bound the lease allows for: at most {@code jumpMs} every {@code jumpEveryMs} of global
 * time, starting at {@code phaseMs}.
 */
final class SimClock {
    private final long offsetMs;
    private final double rate;
    private final long jumpEveryMs;
    private final long jumpMs;
    private final long phaseMs;

    /** @param driftPpm rate error in parts per million, positive runs fast */
    SimClock(long offsetMs, long driftPpm) {
        this(offsetMs, driftPpm, 0, 0, 0);
    }

    /**
     * @param driftPpm rate error in parts per million, positive runs fast
     * @param jumpEveryMs global ms between forward jumps (0: none)
     * @param jumpMs how far each jump moves the clock forward
     * @param phaseMs global time of the first jump
     */
    SimClock(long offsetMs, long driftPpm, long jumpEveryMs, long jumpMs, long phaseMs) {
        if (jumpEveryMs < 0 || jumpMs < 0 || phaseMs < 0) {
            throw new IllegalArgumentException("clock jumps need non-negative parameters");
        }
        this.offsetMs = offsetMs;
        this.rate = 1.0 + driftPpm / 1_000_000.0;
        this.jumpEveryMs = jumpEveryMs;
        this.jumpMs = jumpMs;
        this.phaseMs = phaseMs;
    }

    /** How far the jumps up to global time {@code globalMs} have moved the clock. */
    private long jumped(long globalMs) {
        if (jumpEveryMs == 0 || jumpMs == 0 || globalMs < phaseMs) {
            return 0;
        }
        return (1 + (globalMs - phaseMs) / jumpEveryMs) * jumpMs;
    }

    /** Local time at global time {@code globalMs}. */
    long local(long globalMs) {
        return offsetMs + (long) Math.floor(globalMs * rate) + jumped(globalMs);
    }

    /** The earliest global time at which local time reaches {@code localMs}. */
    long globalAt(long localMs) {
        if (localMs == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        // Local time is non-decreasing in global time: search for the first global time that reaches it.
        long low = 0;
        long high = Math.max(1, (long) Math.ceil((localMs - offsetMs) / rate) + 1);
        while (local(high) < localMs) {
            high *= 2;
        }
        while (low < high) {
            long mid = low + (high - low) / 2;
            if (local(mid) >= localMs) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }
}
