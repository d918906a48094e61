package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Proves the re-dial delay doubles from the base, never exceeds the cap, and is jittered within its window. */
class BackoffTest {
    @Test
    void delaysGrowExponentiallyWithJitterUpToTheCap() {
        SplittableRandom random = new SplittableRandom(1);
        for (int attempt = 0; attempt < 100; attempt++) {
            long window = Math.min(2_000, 50L << Math.min(attempt, 20));
            for (int i = 0; i < 50; i++) {
                long delay = Backoff.delayMs(attempt, 50, 2_000, random);
                assertThat(delay).isBetween(window - window / 2, window);
            }
        }
    }

    @Test
    void jitterSpreadsDelays() {
        SplittableRandom random = new SplittableRandom(2);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < 1_000; i++) {
            long delay = Backoff.delayMs(10, 50, 2_000, random);
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        assertThat(max - min).isGreaterThan(500);
    }

    @Test
    void hugeValuesDoNotOverflow() {
        long delay = Backoff.delayMs(Integer.MAX_VALUE, Long.MAX_VALUE / 4, Long.MAX_VALUE / 2, new SplittableRandom(3));
        assertThat(delay).isPositive().isLessThanOrEqualTo(Long.MAX_VALUE / 2);
    }
}
