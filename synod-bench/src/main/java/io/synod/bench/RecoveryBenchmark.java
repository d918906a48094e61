package io.synod.bench;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.Value;
import io.synod.storage.NioDisk;
import io.synod.storage.Wal;
import io.synod.storage.WalStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Recovery of a 1 GiB write-ahead log: a million 1 KiB Chosen records (16 segments of 64 MiB), recovered the way a
 * restarting node does it — every segment read, every record's checksum verified and decoded, the durable state
 * rebuilt. {@code cold=true} drops the operating system's page cache first (needs root), so the disk is read too.
 * Run: {@code bin/jmh RecoveryBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
public class RecoveryBenchmark {
    private static final long TOTAL_BYTES = 1L << 30;
    private static final int RECORD_PAYLOAD = 1_000;

    @Param({"false", "true"})
    boolean cold;

    private Path directory;

    @Setup(Level.Trial)
    public void writeLog() throws IOException {
        directory = Files.createTempDirectory("synod-recovery-bench");
        byte[] payload = new byte[RECORD_PAYLOAD - 36];
        try (Wal wal = Wal.open(new NioDisk(directory), new Wal.Options(64L << 20, 1 << 20), r -> { },
                l -> { })) {
            long written = 0;
            long slot = 0;
            while (written < TOTAL_BYTES) {
                List<Durable> batch = new ArrayList<>(1_000);
                for (int i = 0; i < 1_000; i++, slot++) {
                    batch.add(new Durable.Chosen(slot, Value.of(new Command(1, slot, payload))));
                }
                wal.append(batch);
                written += 1_000L * (RECORD_PAYLOAD + 9);
            }
            wal.syncPoint().run();
        }
    }

    @Setup(Level.Invocation)
    public void dropCaches() throws Exception {
        if (cold) {
            Process drop = new ProcessBuilder("sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches")
                    .inheritIO().start();
            if (drop.waitFor() != 0) {
                throw new IllegalStateException("cannot drop the page cache (needs root)");
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Benchmark
    public long recover() throws IOException {
        try (WalStorage storage = WalStorage.open(new NioDisk(directory), WalStorage.Options.defaults(), null, null,
                null, line -> { })) {
            DurableState state = storage.recover();
            return state.chosen().size();
        }
    }
}
