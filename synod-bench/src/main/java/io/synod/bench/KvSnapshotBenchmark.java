package io.synod.bench;

import com.google.protobuf.ByteString;
import io.synod.core.StateMachine;
import io.synod.kv.KvStateMachine;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.Put;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Snapshots of the key-value state machine holding 1,000,000 keys (16-byte keys, 100-byte values) and a full
 * idempotency table (100,000 keys, the default bound), filled by applying put commands in a shuffled key order.
 *
 * <ul>
 *   <li>{@code capture}: {@link KvStateMachine#snapshot()} alone, the time the loop thread waits.</li>
 *   <li>{@code applyThenCapture}: one overwrite then a capture. After a capture every node is frozen, so this apply
 *       pays the copy-on-write of its path; compare with {@code apply} to see that cost.</li>
 *   <li>{@code apply}: one overwrite with no capture in between (nodes changed in place), the baseline.</li>
 *   <li>{@code writeToMemory}: writing a whole captured snapshot into a byte array (the encoding cost).</li>
 *   <li>{@code writeToFile}: the same into a file under /tmp, without fsync (encoding plus the page-cache copy).</li>
 *   <li>{@code restore}: rebuilding a fresh state machine from the snapshot's bytes in memory.</li>
 * </ul>
 * Run: {@code bin/jmh KvSnapshotBenchmark}.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class KvSnapshotBenchmark {
    private static final int KEYS = 1_000_000;
    private static final int VALUE_BYTES = 100;
    /** Commands per slot while filling, as batching would put them. */
    private static final int COMMANDS_PER_SLOT = 16;
    /** Distinct overwrite commands cycled through by the apply benchmarks. */
    private static final int OVERWRITES = 4_096;

    private KvStateMachine machine;
    private long slot;
    private byte[][] overwrites;
    private int nextOverwrite;
    private StateMachine.Snapshot captured;
    private byte[] snapshotBytes;
    private ArraySink sink;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        SplittableRandom random = new SplittableRandom(1);
        machine = new KvStateMachine();
        int[] order = shuffledKeyNumbers(random);
        for (int i = 0; i < KEYS; i++) {
            slot = i / COMMANDS_PER_SLOT;
            machine.apply(slot, putCommand(order[i], random, "request-" + i));
        }
        overwrites = new byte[OVERWRITES][];
        for (int i = 0; i < OVERWRITES; i++) {
            overwrites[i] = putCommand(random.nextInt(KEYS), random, "");
        }
        captured = machine.snapshot();
        sink = new ArraySink();
        captured.writeTo(sink);
        snapshotBytes = sink.toByteArray();
        sink = new ArraySink(snapshotBytes.length);
        file = Files.createTempFile(Path.of("/tmp"), "synod-kv-snapshot-", ".bin");
        System.out.printf("%n%d keys, %d idempotency keys, snapshot of %d bytes%n",
                machine.size(), machine.idempotencyTableSize(), snapshotBytes.length);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public StateMachine.Snapshot capture() {
        return machine.snapshot();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public StateMachine.Snapshot applyThenCapture() {
        applyOneOverwrite();
        return machine.snapshot();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] apply() {
        return applyOneOverwrite();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    public int writeToMemory() {
        sink.reset();
        captured.writeTo(sink);
        return sink.position;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    public long writeToFile() throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            captured.writeTo((bytes, offset, length) -> writeFully(channel, ByteBuffer.wrap(bytes, offset, length)));
            return channel.size();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3)
    @Measurement(iterations = 5)
    public KvStateMachine restore() {
        KvStateMachine restored = new KvStateMachine();
        restored.restore(new ArraySource(snapshotBytes));
        return restored;
    }

    private byte[] applyOneOverwrite() {
        slot++;
        byte[] command = overwrites[nextOverwrite];
        nextOverwrite = (nextOverwrite + 1) % OVERWRITES;
        return machine.apply(slot, command);
    }

    private static int[] shuffledKeyNumbers(SplittableRandom random) {
        int[] order = new int[KEYS];
        for (int i = 0; i < KEYS; i++) {
            order[i] = i;
        }
        for (int i = KEYS - 1; i > 0; i--) {
            int other = random.nextInt(i + 1);
            int swapped = order[i];
            order[i] = order[other];
            order[other] = swapped;
        }
        return order;
    }

    /** A put of key number {@code keyNumber} ("key-" and 12 digits: 16 bytes) to 100 random bytes. */
    private static byte[] putCommand(int keyNumber, SplittableRandom random, String idempotencyKey) {
        byte[] key = String.format("key-%012d", keyNumber).getBytes(StandardCharsets.US_ASCII);
        byte[] value = new byte[VALUE_BYTES];
        random.nextBytes(value);
        Put put = Put.newBuilder().setKey(ByteString.copyFrom(key)).setValue(ByteString.copyFrom(value)).build();
        return KvCommand.newBuilder().setPut(put).setIdempotencyKey(idempotencyKey).build().toByteArray();
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) {
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    /** A sink into one array, grown as needed; reset between writes so the array is reused. */
    private static final class ArraySink implements StateMachine.SnapshotSink {
        private byte[] buffer;
        private int position;

        ArraySink() {
            this(1 << 20);
        }

        ArraySink(int capacityBytes) {
            buffer = new byte[capacityBytes];
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (position + length > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + length));
            }
            System.arraycopy(bytes, offset, buffer, position, length);
            position += length;
        }

        void reset() {
            position = 0;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buffer, position);
        }
    }

    /** A source over an array, handing out what is asked for, as a file read would. */
    private static final class ArraySource implements StateMachine.SnapshotSource {
        private final byte[] bytes;
        private int position;

        ArraySource(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position >= bytes.length) {
                return -1;
            }
            int read = Math.min(length, bytes.length - position);
            System.arraycopy(bytes, position, buffer, offset, read);
            position += read;
            return read;
        }
    }
}
