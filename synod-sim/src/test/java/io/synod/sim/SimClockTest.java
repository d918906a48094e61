package io.synod.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimClockTest {
    @Test
    void aClockDriftsJumpsForwardOnScheduleAndNeverGoesBack() {
        SimClock clock = new SimClock(1_000, 10_000, 500, 30, 200);
        SimClock steady = new SimClock(1_000, 10_000);
        assertThat(clock.local(0)).isEqualTo(1_000);
        assertThat(clock.local(199)).as("no jump yet").isEqualTo(steady.local(199));
        assertThat(clock.local(200) - steady.local(200)).as("the first jump").isEqualTo(30);
        assertThat(clock.local(699) - steady.local(699)).isEqualTo(30);
        assertThat(clock.local(700) - steady.local(700)).as("the next, a period later").isEqualTo(60);
        long previous = Long.MIN_VALUE;
        for (long global = 0; global < 5_000; global++) {
            assertThat(clock.local(global)).isGreaterThanOrEqualTo(previous);
            previous = clock.local(global);
        }
    }

    @Test
    void globalAtIsTheFirstGlobalTimeThatReachesALocalTime() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 50; i++) {
            SimClock clock = new SimClock(random.nextLong(0, 10_000), random.nextLong(-20_000, 20_001),
                    random.nextLong(0, 1_000), random.nextLong(0, 50), random.nextLong(0, 1_000));
            for (int j = 0; j < 50; j++) {
                long local = clock.local(0) + random.nextLong(0, 100_000);
                long global = clock.globalAt(local);
                assertThat(clock.local(global)).isGreaterThanOrEqualTo(local);
                if (global > 0) {
                    assertThat(clock.local(global - 1)).isLessThan(local);
                }
            }
        }
    }
}
