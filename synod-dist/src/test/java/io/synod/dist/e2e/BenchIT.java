package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code synod bench} from the runnable jar, as a process, against three {@code synod server} processes: a mixed run
 * reports reads and writes and no errors, and every key it wrote is on every node afterwards, with its value.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchIT extends ClusterTestBase {
    private static final int KEYS = 200;
    private static final int VALUE_SIZE = 100;

    @Test
    void aMixedRunReportsBothKindsWithoutErrorsAndItsKeysAreOnTheCluster() throws Exception {
        newCluster(3, List.of());
        for (int id = 0; id < 3; id++) {
            cluster.start(id);
        }
        awaitMaster(Duration.ofSeconds(30));
        List<String> command = new ArrayList<>(List.of(ProcessCluster.javaExecutable(), "-Xmx128m",
                "-XX:+UseSerialGC", "-jar", ProcessCluster.jar().toString(), "bench",
                "--endpoints", cluster.url(0) + "," + cluster.url(1) + "," + cluster.url(2),
                "--duration", "2", "--warmup", "1", "--clients", "8", "--read-ratio", "0.5",
                "--keys", Integer.toString(KEYS), "--value-size", Integer.toString(VALUE_SIZE), "--json"));
        Path stdout = dir.resolve("bench.out");
        Path stderr = dir.resolve("bench.err");
        Process bench = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        boolean exited = bench.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            bench.destroyForcibly();
        }
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        assertThat(exited).as("bench ended; stderr:\n%s", err).isTrue();
        assertThat(bench.exitValue()).as("exit code; stderr:\n%s", err).isZero();
        JsonNode report = NodeClient.JSON.readTree(Files.readString(stdout, StandardCharsets.UTF_8));

        assertThat(report.at("/read/ops").asLong()).as("reads in %s", report).isPositive();
        assertThat(report.at("/write/ops").asLong()).as("writes in %s", report).isPositive();
        assertThat(report.at("/total/ops").asLong()).isEqualTo(
                report.at("/read/ops").asLong() + report.at("/write/ops").asLong());
        assertThat(report.at("/errors/total").asLong()).as("errors in %s", report).isZero();
        assertThat(report.at("/preload/keys").asLong()).isEqualTo(KEYS);
        assertThat(report.at("/preload/failed").asLong()).isZero();
        assertThat(report.at("/read/notFound").asLong()).as("every key was preloaded").isZero();
        assertThat(report.at("/read/latencyUs/p99").asLong()).isPositive();
        assertThat(report.at("/targets").size()).as("the master only").isEqualTo(1);
        assertThat(err).as("progress lines on stderr").contains("ops/s so far");

        awaitSameApplied(List.of(0, 1, 2), Duration.ofSeconds(30));
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < VALUE_SIZE; i++) {
            value.append((char) ('a' + i % 26));
        }
        for (int id = 0; id < 3; id++) {
            Map<String, String> items = listing(node(id), "k");
            assertThat(items).as("keys on node %d", id).hasSize(KEYS);
            for (int key = 0; key < KEYS; key++) {
                assertThat(items).containsEntry("k" + key, value.toString());
            }
        }
    }
}
