package io.synod.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The main oracle: fixed seeds, every fault on, every checker after every event. A failure message carries the seed,
 * the scenario and the last events; {@code bin/synod sim --from-seed S --seeds 1} replays it.
 */
class SimulationTest {
    /** How many fixed seeds {@code bin/test} runs; the soak ({@code synod sim --seeds 10000}) runs many more. */
    static final int SEEDS = 1_000;

    @Test
    void fixedSeedsPassEveryChecker() {
        List<String> failures = new ArrayList<>();
        long answered = 0;
        long slots = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Simulation.Result result = new Simulation(Simulation.Options.of(seed)).run();
            if (!result.passed()) {
                ByteArrayOutputStream report = new ByteArrayOutputStream();
                SimRunner.printFailure(result, null, new PrintStream(report, true, StandardCharsets.UTF_8));
                failures.add(report.toString(StandardCharsets.UTF_8));
            }
            answered += result.answered();
            slots += result.slots();
        }
        assertThat(failures).as("failing seeds").isEmpty();
        // The runs did real work: clients were answered and slots were chosen.
        assertThat(answered).isGreaterThan(SEEDS * 10L);
        assertThat(slots).isGreaterThan(SEEDS * 10L);
    }
}
