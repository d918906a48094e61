package io.synod.sim;

import io.synod.replica.SnapshotPolicy;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The shape of one simulated run, chosen from the seed: cluster size, fault rates, timings. Printed at start so a
 * failure can be read without replaying it.
 *
 * @param nodes 3 or 5
 * @param lossRate probability that a message is dropped (0 to 0.3)
 * @param duplicateRate probability that a message is delivered twice
 * @param minDelayMs smallest one-way network delay
 * @param maxDelayMs largest ordinary one-way delay (delays are uniform in between, so messages reorder)
 * @param tailRate probability of a long-tail delay of up to 10x {@code maxDelayMs}
 * @param partitionRate partitions started per simulated second
 * @param crashRate node crashes per simulated second
 * @param driftPpmMax largest clock rate error of a node, in parts per million
 * @param fsyncMaxMs largest fsync latency
 * @param tornTails whether a crash keeps a random prefix of unsynced records (a torn tail) instead of none
 * @param clients number of simulated clients
 * @param safetyMs length of the safety phase, in simulated milliseconds
 * @param pipelineWindow the nodes' pipeline window
 * @param maxBatchCommands the nodes' batch bound (1 = no batching)
 * @param snapshotEverySlots how often replicas snapshot, at the latest (0 = never)
 * @param snapshotLogRatio replicas also snapshot once the log since the last snapshot is this many times its size,
 *     from {@value #SNAPSHOT_MIN_LOG_BYTES} log bytes on (0 = only every {@code snapshotEverySlots})
 * @param retainSlots how many slots below a snapshot stay in the log
 * @param snapshotChunkBytes the largest snapshot chunk sent in one message
 * @param segmentBytes the log's segment size
 * @param diskFaultRate disk faults (failed fsync, full disk, bit rot) per simulated second
 * @param acceptBytesMax the acceptors' bound on unresolved vote bytes
 * @param corruptibleNodes how many nodes (the lowest ids) may suffer bit rot: at most f, so the fault stays within
 *     the fault model
 * @param election the master election every node runs ({@code paxoslease}, {@code log} or {@code none})
 * @param leaseMs the master lease
 * @param maxDriftMs the clock drift the lease allows for: well above what {@code driftPpmMax} can build up over a lease
 */
public record Scenario(
        int nodes,
        double lossRate,
        double duplicateRate,
        int minDelayMs,
        int maxDelayMs,
        double tailRate,
        double partitionRate,
        double crashRate,
        int driftPpmMax,
        int fsyncMaxMs,
        boolean tornTails,
        int clients,
        long safetyMs,
        int pipelineWindow,
        int maxBatchCommands,
        long snapshotEverySlots,
        double snapshotLogRatio,
        long retainSlots,
        int snapshotChunkBytes,
        long segmentBytes,
        double diskFaultRate,
        int corruptibleNodes,
        long acceptBytesMax,
        String election,
        long leaseMs,
        long maxDriftMs) {

    /** The fault families a scenario may use; {@code synod sim --faults} picks a subset. */
    public enum Fault { LOSS, DUPLICATE, REORDER, PARTITION, CRASH, DRIFT, DISK }

    /** The least log a size-triggered snapshot waits for: a few commands, so small stores snapshot often. */
    public static final long SNAPSHOT_MIN_LOG_BYTES = 512;

    /** Picks a scenario from {@code random} with only the {@code allowed} faults. */
    public static Scenario choose(SplittableRandom random, Set<Fault> allowed) {
        Set<Fault> on = allowed.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(allowed);
        int nodes = random.nextInt(4) == 0 ? 5 : 3;
        double loss = on.contains(Fault.LOSS) ? pick(random, 0.0, 0.02, 0.1, 0.3) : 0.0;
        double duplicate = on.contains(Fault.DUPLICATE) ? pick(random, 0.0, 0.02, 0.1) : 0.0;
        int minDelay = 1 + random.nextInt(5);
        int maxDelay = on.contains(Fault.REORDER) ? minDelay + (int) pick(random, 2, 10, 40) : minDelay;
        double tail = on.contains(Fault.REORDER) ? pick(random, 0.0, 0.01, 0.05) : 0.0;
        double partitions = on.contains(Fault.PARTITION) ? pick(random, 0.0, 0.3, 1.0, 2.0) : 0.0;
        double crashes = on.contains(Fault.CRASH) ? pick(random, 0.0, 0.3, 1.0, 2.0) : 0.0;
        int drift = on.contains(Fault.DRIFT) ? (int) pick(random, 0, 100, 1_000, 10_000) : 0;
        int fsync = on.contains(Fault.DISK) ? (int) pick(random, 0, 1, 5, 20) : 0;
        boolean torn = on.contains(Fault.DISK) && random.nextBoolean();
        int clients = 2 + random.nextInt(9);
        long safety = 5_000 + random.nextInt(25_000);
        int window = (int) pick(random, 1, 4, 32);
        int batch = (int) pick(random, 1, 8, 256);
        long snapshotEvery = (long) pick(random, 0, 5, 20, 100);
        long retain = (long) pick(random, 0, 3, 50);
        int chunk = (int) pick(random, 64, 512, 1 << 16);
        long segment = (long) pick(random, 2_048, 16_384, 1 << 20);
        double diskFaults = on.contains(Fault.DISK) ? pick(random, 0.0, 0.2, 1.0) : 0.0;
        int corruptible = on.contains(Fault.DISK) ? random.nextInt(nodes / 2 + 1) : 0;
        long acceptBytes = (long) pick(random, 600, 20_000, 32 << 20);
        String election = ELECTIONS.get(random.nextInt(ELECTIONS.size()));
        // Operators choose a lease well above the round trip; a 300 ms lease only where messages take a few ms.
        long lease = Math.max((long) pick(random, 300, 1_000, 2_000), maxDelay <= 15 ? 0 : 1_000);
        // Picked last, so the picks above stay what they were for every seed.
        double logRatio = snapshotEvery == 0 ? 0.0 : pick(random, 0.0, 0.5, 1.0);
        return new Scenario(nodes, loss, duplicate, minDelay, maxDelay, tail, partitions, crashes, drift, fsync,
                torn, clients, safety, window, batch, snapshotEvery, logRatio, retain, chunk, segment, diskFaults, corruptible,
                acceptBytes, election, lease, lease / 8);
    }

    /** The elections a seed picks from. */
    public static final List<String> ELECTIONS = List.of("paxoslease", "log", "none");

    /** This scenario with another election (for tests of one mode). */
    public Scenario withElection(String name) {
        return new Scenario(nodes, lossRate, duplicateRate, minDelayMs, maxDelayMs, tailRate, partitionRate, crashRate,
                driftPpmMax, fsyncMaxMs, tornTails, clients, safetyMs, pipelineWindow, maxBatchCommands,
                snapshotEverySlots, snapshotLogRatio, retainSlots, snapshotChunkBytes, segmentBytes, diskFaultRate, corruptibleNodes,
                acceptBytesMax, name, leaseMs, maxDriftMs);
    }

    /** This scenario with other crash and partition rates (for tests that need a storm). */
    public Scenario withChaos(double crashes, double partitions) {
        return new Scenario(nodes, lossRate, duplicateRate, minDelayMs, maxDelayMs, tailRate, partitions, crashes,
                driftPpmMax, fsyncMaxMs, tornTails, clients, safetyMs, pipelineWindow, maxBatchCommands,
                snapshotEverySlots, snapshotLogRatio, retainSlots, snapshotChunkBytes, segmentBytes, diskFaultRate, corruptibleNodes,
                acceptBytesMax, election, leaseMs, maxDriftMs);
    }

    /** This scenario with clocks drifting up to {@code ppm} and a lease that allows {@code maxDriftMs} for it. */
    public Scenario withDrift(int ppm, long lease, long maxDrift) {
        return new Scenario(nodes, lossRate, duplicateRate, minDelayMs, maxDelayMs, tailRate, partitionRate, crashRate,
                ppm, fsyncMaxMs, tornTails, clients, safetyMs, pipelineWindow, maxBatchCommands,
                snapshotEverySlots, snapshotLogRatio, retainSlots, snapshotChunkBytes, segmentBytes, diskFaultRate, corruptibleNodes,
                acceptBytesMax, election, lease, maxDrift);
    }

    /**
     * The replicas' snapshot policy: every {@code snapshotEverySlots} slots at the latest, and by the log's size when
     * {@code snapshotLogRatio} is set — with a slot bound of 4 intervals then, so size-triggered snapshots are the
     * usual ones and the bound still exercises the cap.
     */
    public SnapshotPolicy snapshotPolicy() {
        if (snapshotEverySlots == 0) {
            return SnapshotPolicy.NEVER;
        }
        if (snapshotLogRatio == 0) {
            return SnapshotPolicy.everySlots(snapshotEverySlots);
        }
        return new SnapshotPolicy(snapshotLogRatio, SNAPSHOT_MIN_LOG_BYTES, 4 * snapshotEverySlots);
    }

    private static double pick(SplittableRandom random, double... choices) {
        return choices[random.nextInt(choices.length)];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "nodes=%d loss=%.2f dup=%.2f delay=%d-%dms tail=%.2f partitions/s=%.1f crashes/s=%.1f "
                        + "drift=%dppm fsync<=%dms torn=%b clients=%d safety=%dms window=%d batch=%d "
                        + "snapshot-every=%d log-ratio=%.1f retain=%d chunk=%dB segment=%dB disk-faults/s=%.1f corruptible=%d "
                        + "accept-bytes=%d election=%s lease=%dms max-drift=%dms",
                nodes, lossRate, duplicateRate, minDelayMs, maxDelayMs, tailRate, partitionRate, crashRate,
                driftPpmMax, fsyncMaxMs, tornTails, clients, safetyMs, pipelineWindow, maxBatchCommands,
                snapshotEverySlots, snapshotLogRatio, retainSlots, snapshotChunkBytes, segmentBytes, diskFaultRate, corruptibleNodes,
                acceptBytesMax, election, leaseMs, maxDriftMs);
    }
}
