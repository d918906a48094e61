package io.synod.dist;

import io.synod.sim.Scenario;
import io.synod.sim.SimRunner;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code synod sim}: runs the deterministic simulator over a range of seeds. */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Runs the deterministic simulator: one line per seed, a summary, exit 1 if any seed fails.",
            "A failure prints its seed, scenario and last events; replay it with --from-seed S --seeds 1."})
final class SimCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--seeds", paramLabel = "N", description = "How many seeds to run (default: ${DEFAULT-VALUE}).",
            defaultValue = "100")
    long seeds;

    @Option(names = "--from-seed", paramLabel = "S", description = "First seed (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    long fromSeed;

    @Option(names = "--steps", paramLabel = "K",
            description = "Most events in each seed's safety phase (default: no bound but the scenario's time).")
    Long steps;

    @Option(names = "--faults", paramLabel = "LIST", split = ",",
            description = "Faults to inject: any of loss, duplicate, reorder, partition, crash, drift, disk, "
                    + "or none (default: all).")
    String[] faults;

    @Option(names = "--election", paramLabel = "NAME",
            description = "Run every seed with this election (paxoslease, log or none; default: each seed picks one).")
    String election;

    @Option(names = "--quiet", description = "Print only failures and the summary.")
    boolean quiet;

    @Option(names = "--trace", description = "Print every event of every seed (use with --seeds 1).")
    boolean trace;

    @Override
    public Integer call() {
        if (seeds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seeds must be at least 1");
        }
        if (election != null && !Scenario.ELECTIONS.contains(election)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown election '" + election
                    + "' (expected one of " + String.join(", ", Scenario.ELECTIONS) + ")");
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        int failed = SimRunner.run(fromSeed, seeds, steps == null ? Long.MAX_VALUE : steps, parseFaults(), election,
                quiet, trace, out);
        return failed == 0 ? 0 : 1;
    }

    private Set<Scenario.Fault> parseFaults() {
        if (faults == null) {
            return EnumSet.allOf(Scenario.Fault.class);
        }
        Set<Scenario.Fault> chosen = EnumSet.noneOf(Scenario.Fault.class);
        for (String name : faults) {
            if (name.equalsIgnoreCase("none")) {
                continue;
            }
            try {
                chosen.add(Scenario.Fault.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException unknown) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown fault '" + name
                        + "' (expected loss, duplicate, reorder, partition, crash, drift, disk or none)");
            }
        }
        return chosen;
    }
}
