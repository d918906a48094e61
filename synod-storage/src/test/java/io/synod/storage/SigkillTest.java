package io.synod.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.Durable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crashes. A separate JVM ({@link CrashWriter}) appends and acknowledges records through the production storage
 * path; this test kills it with SIGKILL at random moments, 50 times, and after each kill checks that every
 * acknowledged record is present, intact and in order, that recovery finds nothing corrupt (a torn tail is cut, not
 * served), and that the data dir's lock kept a second process out while the writer ran.
 */
class SigkillTest {
    private static final int KILLS = 50;

    @TempDir
    Path directory;

    /** What the current writer printed besides acknowledgements (its log lines and any error). */
    private final List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void everyAcknowledgedRecordSurvivesSigkill() throws Exception {
        SplittableRandom random = new SplittableRandom(20261123);
        long acknowledgedTotal = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            AtomicLong acknowledged = new AtomicLong(-1);
            Process writer = start(random.nextLong(), acknowledged);
            try {
                waitForFirstAck(acknowledged, writer);
                if (kill == 0) {
                    assertThatThrownBy(() -> DataDir.open(directory, "crash-test", 1))
                            .hasMessageContaining("in use by another process");
                }
                Thread.sleep(20 + random.nextInt(250));
            } finally {
                writer.destroyForcibly(); // SIGKILL on Linux
                assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            long acked = acknowledged.get();
            long recovered = verify(acked);
            assertThat(recovered).as("kill %d: records recovered through the last acknowledged one", kill)
                    .isGreaterThanOrEqualTo(acked);
            acknowledgedTotal = Math.max(acknowledgedTotal, acked);
        }
        assertThat(acknowledgedTotal).isGreaterThan(KILLS * 10L);
    }

    private Process start(long seed, AtomicLong acknowledged) throws IOException {
        output.clear();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), directory.toString(), Long.toString(seed))
                .redirectErrorStream(true)
                .start();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("ack ")) {
                        acknowledged.accumulateAndGet(Long.parseLong(line.substring(4)), Math::max);
                    } else {
                        output.add(line);
                    }
                }
            } catch (IOException closed) {
                // The process was killed; its output ends here.
            }
        });
        return process;
    }

    private void waitForFirstAck(AtomicLong acknowledged, Process writer) throws InterruptedException {
        for (int i = 0; i < 3_000 && acknowledged.get() < 0; i++) {
            assertThat(writer.isAlive()).as("writer exited early: %s", output).isTrue();
            Thread.sleep(10);
        }
        assertThat(acknowledged.get()).as("the writer acknowledged something within 30 s").isGreaterThanOrEqualTo(0);
    }

    /** Recovers the log as a restarted node would; returns the highest slot, checking every record on the way. */
    private long verify(long acknowledged) throws IOException {
        List<Durable> records = new ArrayList<>();
        List<String> log = new ArrayList<>();
        try (DataDir dataDir = DataDir.open(directory, "crash-test", 1);
                Wal wal = Wal.open(dataDir.disk(), new Wal.Options(256 * 1024, 1 << 20), records::add,
                        log::add)) {
            assertThat(log).as("at most one torn tail to cut").hasSizeLessThanOrEqualTo(1);
        }
        long expected = 0;
        for (Durable record : records) {
            if (record instanceof Durable.Promised) {
                continue;
            }
            assertThat(record).as("record for slot %d, intact and in order", expected)
                    .isEqualTo(Records.accepted(expected));
            expected++;
        }
        assertThat(expected - 1).as("acknowledged %d", acknowledged).isGreaterThanOrEqualTo(acknowledged);
        return expected - 1;
    }
}
