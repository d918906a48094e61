package io.synod.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** {@code synod bench}'s flags: a bad one is a usage error on one line (exit 2); nothing answered is exit 1. */
class BenchCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "bench";
        System.arraycopy(args, 0, command, 1, args.length);
        return Main.run(command, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private void assertUsageError(String expected, String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertThat(run(args)).as("exit code of %s", String.join(" ", args)).isEqualTo(2);
        assertThat(err.toString().strip()).contains(expected).doesNotContain("\n");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertUsageError("--clients must be from 1", "--clients", "0");
        assertUsageError("--threads (4) must not exceed --clients (2)", "--clients", "2", "--threads", "4");
        assertUsageError("--read-ratio must be from 0 to 1", "--read-ratio", "1.5");
        assertUsageError("--read-ratio", "--read-ratio", "half");
        assertUsageError("--consistency must be linearizable, quorum or stale", "--consistency", "eventual");
        assertUsageError("--duration must be", "--duration", "-1");
        assertUsageError("--duration must be more than 0", "--duration", "0");
        assertUsageError("--value-size must be from 0 to 1048576", "--value-size", "2000000");
        assertUsageError("--keys must be from 1", "--keys", "0");
        assertUsageError("is not of the form http://HOST:PORT", "--endpoints", "127.0.0.1:7101");
        assertUsageError("is not of the form http://HOST:PORT", "--endpoints", "http://[bad");
        assertUsageError("Unknown option", "--rate", "100");
    }

    @Test
    void aRunWhereEveryRequestFailedExitsOne() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        assertThat(run("--endpoints", "http://127.0.0.1:" + port, "--spread", "--duration", "0.3", "--warmup", "0",
                "--no-preload", "--clients", "2", "--json")).isEqualTo(1);
        assertThat(out.toString()).contains("\"CONNECTION\":");
        assertThat(err.toString()).contains("synod: bench: no request succeeded");
    }
}
