package io.synod.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A seed is a test case only if it replays exactly. Running one seed twice must give the same trace, event for event;
 * hidden non-determinism (identity hashes, wall time, unseeded randomness) would show up as a difference.
 */
class DeterminismTest {

    private static String trace(long seed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Simulation.Result result = new Simulation(Simulation.Options.of(seed)
                .withTrace(new PrintStream(out, true, StandardCharsets.UTF_8))).run();
        return result.traceHash() + "/" + result.events() + "\n" + out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSameSeedGivesTheSameTraceTwice() {
        for (long seed : new long[] {3, 77, 4242}) {
            String first = trace(seed);
            String second = trace(seed);
            assertThat(first.lines().count()).isGreaterThan(1_000);
            assertThat(second).isEqualTo(first);
        }
    }

    @Test
    void differentSeedsGiveDifferentRuns() {
        Simulation.Result a = new Simulation(Simulation.Options.of(5)).run();
        Simulation.Result b = new Simulation(Simulation.Options.of(6)).run();
        assertThat(a.traceHash()).isNotEqualTo(b.traceHash());
    }

    @Test
    void theTraceHashCoversTheEvents() {
        Simulation.Result full = new Simulation(Simulation.Options.of(9)).run();
        Simulation.Result cut = new Simulation(Simulation.Options.of(9).withMaxSteps(100)).run();
        assertThat(cut.traceHash()).isNotEqualTo(full.traceHash());
    }
}
