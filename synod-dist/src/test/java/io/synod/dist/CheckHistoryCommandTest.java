package io.synod.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code synod check-history FILE}: exit 0 with one line, 1 with a report, 2 with one line on stderr. */
class CheckHistoryCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path directory;

    private int run(String... args) {
        return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private Path file(String text) throws IOException {
        Path file = directory.resolve("history.jsonl");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void aLinearizableHistoryExitsZeroWithOneLine() throws IOException {
        // A correct history gets one summary line on stdout and exit 0.
        Path file = file("""
                {"process":1,"type":"invoke","f":"put","key":"a","value":"x","time":1}
                {"process":2,"type":"invoke","f":"read","key":"a","time":2}
                {"process":1,"type":"ok","f":"put","key":"a","version":7,"time":3}
                {"process":2,"type":"ok","f":"read","key":"a","value":null,"time":4}
                {"process":2,"type":"invoke","f":"read","key":"b","time":5}
                {"process":2,"type":"info","f":"read","key":"b","time":6}
                """);
        assertThat(run("check-history", file.toString())).isZero();
        assertThat(out.toString()).matches("linearizable: 3 operations on 2 keys \\(\\d+ configurations? explored, "
                + "\\d+ ms\\)\\R");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void theSharedVersionBugExitsOneWithTheReport() throws IOException {
        // Two writes both answered version 640 and a compare-and-set on 640 then succeeded: not linearizable.
        Path file = file("""
                {"process":1,"type":"invoke","f":"put","key":"k","value":"843","time":100}
                {"process":2,"type":"invoke","f":"put","key":"k","value":"844","time":110}
                {"process":1,"type":"ok","f":"put","key":"k","version":640,"time":200}
                {"process":2,"type":"ok","f":"put","key":"k","version":640,"time":200}
                {"process":3,"type":"invoke","f":"read","key":"k","time":250}
                {"process":3,"type":"ok","f":"read","key":"k","value":"843","version":640,"time":300}
                {"process":3,"type":"invoke","f":"put","key":"k","value":"845","ifMatch":640,"time":310}
                {"process":3,"type":"ok","f":"put","key":"k","version":641,"time":400}
                """);
        assertThat(run("check-history", file.toString())).isEqualTo(1);
        assertThat(out.toString()).startsWith("not linearizable: key \"k\"").contains("version 640").contains("stuck:");
    }

    @Test
    void aSearchBoundTooSmallIsInconclusive() throws IOException {
        // With --max-configurations too small to decide, the answer is inconclusive, exit 1.
        Path file = file("""
                {"process":1,"type":"invoke","f":"put","key":"a","value":"x","time":1}
                {"process":1,"type":"ok","f":"put","key":"a","version":1,"time":2}
                {"process":1,"type":"invoke","f":"put","key":"a","value":"y","time":3}
                {"process":1,"type":"ok","f":"put","key":"a","version":2,"time":4}
                """);
        assertThat(run("check-history", "--max-configurations", "1", file.toString())).isEqualTo(1);
        assertThat(out.toString()).startsWith("inconclusive");
    }

    @Test
    void aMalformedLineExitsTwoWithOneLineNamingIt() throws IOException {
        // A broken line is one line on stderr naming the file and the line number.
        Path file = file("""
                {"process":1,"type":"invoke","f":"put","key":"a","value":"x","time":1}
                {"process":1,"type":"ok","f":"put","key":"a","time":2}
                """);
        assertThat(run("check-history", file.toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("synod: " + file + " line 2: missing \"version\" (an integer)"
                + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aMissingFileExitsTwoWithOneLine() {
        // A file that does not exist is a usage error.
        Path missing = directory.resolve("nope.jsonl");
        assertThat(run("check-history", missing.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("synod: cannot read " + missing + ": no such file")
                .doesNotContain("\n");
    }

    @Test
    void noFileIsAUsageError() {
        // The file argument is required.
        assertThat(run("check-history")).isEqualTo(2);
        assertThat(err.toString().strip().lines()).hasSize(1);
    }
}
