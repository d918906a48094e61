package io.synod.sim;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;

/**
 * Runs a range of seeds and reports one line per seed and a summary: the engine behind {@code synod sim}. A failing
 * seed also prints its scenario, the checker's message and the last events, one per line, and how to replay it.
 */
public final class SimRunner {
    private SimRunner() {}

    /** For development: {@code SimRunner FROM COUNT [q|trace]}. The product's entry point is {@code synod sim}. */
    public static void main(String[] args) {
        long from = Long.parseLong(args[0]);
        long count = Long.parseLong(args[1]);
        boolean quiet = args.length > 2 && args[2].equals("q");
        boolean trace = args.length > 2 && args[2].equals("trace");
        int failed = run(from, count, Long.MAX_VALUE, Set.of(Scenario.Fault.values()), null, quiet, trace,
                System.out);
        System.exit(failed == 0 ? 0 : 1);
    }

    /**
     * Runs seeds {@code fromSeed .. fromSeed + count - 1}.
     *
     * @return the number of failed seeds
     */
    public static int run(long fromSeed, long count, long maxSteps, Set<Scenario.Fault> faults, String election,
            boolean quiet, boolean trace, PrintStream out) {
        int failed = 0;
        long started = System.nanoTime();
        long events = 0;
        long operations = 0;
        long checkNanos = 0;
        for (long seed = fromSeed; seed < fromSeed + count; seed++) {
            Simulation.Options options = new Simulation.Options(seed, faults, maxSteps, Seams.REAL, trace ? out : null)
                    .withScenario(scenario -> election == null ? scenario : scenario.withElection(election));
            if (trace) {
                out.println("seed " + seed + " scenario: " + new Simulation(options).scenario());
            }
            Simulation.Result result = new Simulation(options).run();
            events += result.events();
            operations += result.operations();
            checkNanos += result.checkNanos();
            if (result.passed()) {
                if (!quiet) {
                    out.println(okLine(result));
                }
            } else {
                failed++;
                printFailure(result, election, out);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf(Locale.ROOT, "%d seeds from %d: %d passed, %d failed (%d events, %d client operations checked "
                        + "for linearizability in %d ms, %.1fs in all)%n",
                count, fromSeed, count - failed, failed, events, operations, checkNanos / 1_000_000, seconds);
        return failed;
    }

    static String okLine(Simulation.Result result) {
        return String.format(Locale.ROOT,
                "seed %d ok slots=%d answered=%d operations=%d events=%d sim=%dms trace=%016x | %s",
                result.seed(), result.slots(), result.answered(), result.operations(), result.events(),
                result.simulatedMs(), result.traceHash(), result.scenario());
    }

    static void printFailure(Simulation.Result result, String election, PrintStream out) {
        out.printf(Locale.ROOT, "seed %d FAILED %s: %s%n", result.seed(), result.checker(), result.message());
        out.println("  scenario: " + result.scenario());
        out.printf(Locale.ROOT, "  at sim=%dms after %d events; last events:%n", result.simulatedMs(), result.events());
        for (String event : result.lastEvents()) {
            out.println("    " + event);
        }
        out.println("  replay: bin/synod sim --from-seed " + result.seed() + " --seeds 1"
                + (election == null ? "" : " --election " + election));
    }
}
