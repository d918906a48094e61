package io.synod.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The command line's contract: exit codes 0/1/2 and one-line errors on stderr. */
class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void simRunsSeedsAndExitsZeroWhenAllPass() {
        assertThat(run("sim", "--seeds", "3", "--quiet")).isZero();
    }

    @Test
    void anUnknownFaultIsAUsageErrorOnOneLine() {
        assertThat(run("sim", "--faults", "gremlins")).isEqualTo(2);
        assertThat(err.toString().strip()).contains("unknown fault 'gremlins'").doesNotContain("\n");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString().strip().lines()).hasSize(1);
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("a command is needed");
    }
}
