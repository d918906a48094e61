package io.synod.net;

import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with jitter for re-dialing a peer: the window starts at {@code baseMs} and doubles per
 * failed attempt up to {@code maxMs}; the delay is drawn uniformly from the upper half of the window, so peers that
 * lost each other at the same instant do not re-dial in lockstep, and a delay is never below half the window.
 */
final class Backoff {
    private Backoff() {}

    /** The delay before attempt number {@code failedAttempts + 1}; {@code failedAttempts} counts from 0. */
    static long delayMs(int failedAttempts, long baseMs, long maxMs, RandomGenerator random) {
        long window = baseMs;
        for (int i = 0; i < failedAttempts && window < maxMs; i++) {
            window = window > maxMs / 2 ? maxMs : window * 2;
        }
        window = Math.min(window, maxMs);
        long half = window / 2;
        return window - half + random.nextLong(half + 1);
    }
}
