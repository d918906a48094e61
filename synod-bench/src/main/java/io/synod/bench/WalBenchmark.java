package io.synod.bench;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.storage.Disk;
import io.synod.storage.NioDisk;
import io.synod.storage.Wal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The write-ahead log on this machine's disk, in one run so the figures can be compared:
 * <ul>
 *   <li>{@code rawFsync}: write 100 bytes and fsync, one at a time — the physical floor;</li>
 *   <li>{@code append1}, {@code append16}, {@code append128}: that many threads each appending 100-byte records and
 *       waiting until each is durable, through {@link GroupCommit} (one fsync per round for everything queued);</li>
 *   <li>{@code async16}, {@code async128}: that many concurrent appenders that do not each hold a thread: each one
 *       appends its next record when the previous is durable, as requests in an event-driven server do. With 128
 *       blocking threads on 2 cores, waking the threads costs more than the fsync; these show what the log itself
 *       does.</li>
 * </ul>
 * Sample mode gives both the rate and the latency distribution of one operation. The files go to {@code java.io.tmpdir}
 * (override with {@code -Djava.io.tmpdir=...} to measure another disk).
 * Run: {@code bin/jmh WalBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class WalBenchmark {
    /** 100 bytes of framed record: 9 header + 8 slot + 4 count + 16 command header + 63 payload. */
    private static final byte[] PAYLOAD = new byte[63];

    private Path directory;
    private Wal wal;
    private GroupCommit groupCommit;
    private Disk.DiskFile raw;
    private final AtomicLong slots = new AtomicLong();
    private final byte[] rawRecord = new byte[100];

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        directory = Files.createTempDirectory("synod-wal-bench");
        NioDisk disk = new NioDisk(directory);
        wal = Wal.open(disk, new Wal.Options(64L << 20, 1 << 20), record -> { }, line -> { });
        groupCommit = new GroupCommit(wal, 100_000);
        raw = disk.open("raw-fsync");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        groupCommit.close();
        wal.close();
        raw.close();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private Durable record() {
        long slot = slots.getAndIncrement();
        return new Durable.Chosen(slot, Value.of(new Command(1, slot, PAYLOAD)));
    }

    private static final int ASYNC_RECORDS_EACH = 50;

    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(16 * ASYNC_RECORDS_EACH)
    public void async16() throws InterruptedException {
        concurrentAppenders(16);
    }

    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(128 * ASYNC_RECORDS_EACH)
    public void async128() throws InterruptedException {
        concurrentAppenders(128);
    }

    /** {@code appenders} chains of appends, each with one record outstanding, until each has made its records durable. */
    private void concurrentAppenders(int appenders) throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(appenders);
        for (int i = 0; i < appenders; i++) {
            appendChain(ASYNC_RECORDS_EACH, finished);
        }
        finished.await();
    }

    private void appendChain(int left, CountDownLatch finished) {
        if (left == 0) {
            finished.countDown();
            return;
        }
        try {
            groupCommit.append(record()).thenRun(() -> appendChain(left - 1, finished));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Benchmark
    @Threads(1)
    public void rawFsync() throws IOException {
        raw.append(rawRecord, 0, rawRecord.length);
        raw.force();
    }

    @Benchmark
    @Threads(1)
    public void append1() throws Exception {
        groupCommit.append(record()).join();
    }

    @Benchmark
    @Threads(16)
    public void append16() throws Exception {
        groupCommit.append(record()).join();
    }

    @Benchmark
    @Threads(128)
    public void append128() throws Exception {
        groupCommit.append(record()).join();
    }
}
