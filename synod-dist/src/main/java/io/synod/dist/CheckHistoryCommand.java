package io.synod.dist;

import io.synod.sim.history.HistoryFile;
import io.synod.sim.history.HistoryFormatException;
import io.synod.sim.history.LinearizabilityChecker;
import io.synod.sim.history.Operation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synod check-history FILE}: reads a history in the JSON-lines format of {@link HistoryFile} and checks it with
 * {@link LinearizabilityChecker}. Main runs it. It prints one summary line and exits 0 if the history is linearizable;
 * prints the failure report (first line "not linearizable" or "inconclusive") and exits 1 otherwise; and exits 2 with
 * one line on stderr if the file cannot be read or a line is malformed.
 */
@Command(name = "check-history", mixinStandardHelpOptions = true,
        description = {"Checks that a recorded history of key-value operations is linearizable: exit 0 if it is, 1 "
                + "with a report if it is not (or the search reached its bound), 2 if the file cannot be read.",
            "FILE has one JSON object per line, e.g. {\"process\":3,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"a\","
                + "\"value\":\"x\",\"time\":1200}; the format is documented on io.synod.sim.history.HistoryFile."})
final class CheckHistoryCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The history file (JSON lines).")
    Path file;

    @Option(names = "--max-configurations", paramLabel = "N",
            description = "Most configurations the search may enter per key before it gives up as inconclusive "
                    + "(default: ${DEFAULT-VALUE}).",
            defaultValue = "" + LinearizabilityChecker.DEFAULT_MAX_CONFIGURATIONS)
    long maxConfigurations;

    /**
     * Reads, checks and reports, returning the exit code. Throws {@link CommandLine.ParameterException} (exit 2 through
     * Main's handler) for a bad bound or a file that cannot be read.
     */
    @Override
    public Integer call() {
        if (maxConfigurations < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-configurations must be at least 1");
        }
        List<Operation> operations;
        try {
            operations = HistoryFile.read(file);
        } catch (HistoryFormatException malformed) {
            spec.commandLine().getErr().println("synod: " + file + " " + malformed.getMessage());
            return 2;
        } catch (NoSuchFileException missing) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": no such file");
        } catch (IOException unreadable) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": "
                    + unreadable.getMessage());
        }
        LinearizabilityChecker.Result result = new LinearizabilityChecker(maxConfigurations).check(operations);
        PrintWriter out = spec.commandLine().getOut();
        if (result.linearizable()) {
            out.println(result.summary());
            return 0;
        }
        out.print(result.report());
        out.flush();
        return 1;
    }
}
