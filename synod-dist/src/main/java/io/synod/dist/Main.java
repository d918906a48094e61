package io.synod.dist;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code synod} command. Exit codes (DESIGN.md §1): 0 success, 1 the operation failed, 2 usage error. Every error
 * is one line on stderr.
 */
@Command(name = "synod", mixinStandardHelpOptions = true, version = "synod 0.1.0",
        description = "A replicated log and key-value store on Multi-Paxos.",
        subcommands = {ServerCommand.class, DemoCommand.class, BenchCommand.class, SimCommand.class,
            CheckHistoryCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            err.println("synod: " + exception.getMessage() + " (see synod --help)");
            return 2;
        });
        commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
            err.println("synod: " + exception.getMessage());
            return 1;
        });
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this),
                "a command is needed: server, demo, bench, sim or check-history");
    }
}
