package io.synod.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Commands pushed through a three-node in-memory cluster (the real core and replica loop, no I/O), all on one thread.
 * The score is commands per second, end to end: proposed at the leader, chosen by a majority, applied on the leader.
 *
 * <ul>
 *   <li>{@code batch=1}: one command per slot, so the score is also slots per second.</li>
 *   <li>{@code batch=1024}: up to 1024 commands share a slot.</li>
 * </ul>
 * Run: {@code bin/jmh ClusterBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ClusterBenchmark {
    private static final int COMMANDS_PER_CALL = 4_096;

    @Param({"1", "1024"})
    int batch;

    private InMemoryCluster cluster;
    private final byte[] payload = new byte[16];

    @Setup(Level.Trial)
    public void setUp() {
        cluster = new InMemoryCluster(3, b -> b.pipelineWindow(64).batching(batch, 1 << 20)
                .maxPendingCommands(1 << 20));
        cluster.proposeAndWait(0, 1, payload); // node 0 becomes leader
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS_PER_CALL)
    public long commands() {
        cluster.proposeAndWait(0, COMMANDS_PER_CALL, payload);
        return cluster.applied(0);
    }
}
