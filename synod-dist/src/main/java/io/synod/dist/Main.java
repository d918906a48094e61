package io.synod.dist;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code synod} command. Exit codes (DESIGN.md §1): 0 success, 1 the operation failed, 2 usage error. Every error
 * is one line on stderr.
 */
@Command(name = "synod", mixinStandardHelpOptions = true, version = "synod 0.1.0",
        description = "A replicated log and key-value store on Multi-Paxos.",
        subcommands = {ServerCommand.class, DemoCommand.class, PutCommand.class, GetCommand.class,
            DeleteCommand.class, ListCommand.class, StatusCommand.class, LogCommand.class, BenchCommand.class,
            SimCommand.class, CheckHistoryCommand.class, CertsCommand.class})
public final class Main implements Runnable {
    private final InputStream stdin;
    private final OutputStream stdout;

    private Main(InputStream stdin, OutputStream stdout) {
        this.stdin = stdin;
        this.stdout = stdout;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, new PrintWriter(System.err, true)));
    }

    /**
     * Runs the command line with text output to {@code out} and returns the exit code (for tests). Raw bytes a command
     * prints ({@code get}'s value) reach {@code out} decoded as UTF-8; stdin is the process's.
     */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        OutputStream raw = new ByteArrayOutputStream() {
            @Override
            public void flush() {
                out.print(toString(StandardCharsets.UTF_8));
                out.flush();
                reset();
            }
        };
        return run(args, System.in, raw, out, err);
    }

    /** Runs the command line on these streams and returns the exit code. */
    public static int run(String[] args, InputStream in, OutputStream out, PrintWriter err) {
        PrintWriter text = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        try {
            return run(args, in, out, text, err);
        } finally {
            text.flush();
        }
    }

    private static int run(String[] args, InputStream in, OutputStream raw, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main(in, raw));
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
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
                "a command is needed: server, demo, put, get, delete, list, status, log, bench, sim, check-history "
                        + "or certs");
    }

    /** The process's stdin (for {@code put KEY -}). */
    InputStream stdin() {
        return stdin;
    }

    /** Where commands print raw bytes ({@code get}'s value); flush after writing. */
    OutputStream stdout() {
        return stdout;
    }
}
