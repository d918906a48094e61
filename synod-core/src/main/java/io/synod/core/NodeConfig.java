package io.synod.core;

import java.util.List;

/**
 * Everything a {@link Node} is configured with. Times are in milliseconds of the clock the caller feeds in.
 *
 * @param nodeId this node's id; must be one of {@code members}
 * @param members ids of every member of the cluster, this node included
 * @param pipelineWindow how many slots a leader may have in flight beyond its commit index
 * @param openSlots how many slots a leader keeps open (proposed, not yet chosen) before new commands wait for one of
 *     them to be chosen and then share the next slot: batching while busy. A full batch opens a slot anyway. 1 runs
 *     one round at a time; {@code pipelineWindow} never waits. At most {@code pipelineWindow}.
 * @param acceptWindow how far beyond its own commit index an acceptor accepts; an acceptor further behind catches up
 *     first. Bounds what one promise can carry. Must be at least {@code pipelineWindow}.
 * @param acceptBytesMax most bytes of accepted but unresolved values an acceptor holds; beyond it, it accepts only
 *     the slot at its commit index until it catches up. Bounds what one promise can carry, in bytes.
 * @param maxBatchCommands most commands in one slot's value (1 turns batching off)
 * @param maxBatchBytes most bytes of commands in one slot's value (a single larger command still gets a slot)
 * @param maxPendingCommands most commands waiting for a slot; more are rejected at once
 * @param heartbeatMs how often an idle leader re-sends its commit news
 * @param retransmitMs how long a proposer waits for replies before sending a Prepare or Accept again
 * @param prepareTimeoutMs how long a candidate tries to gather promises before it backs off
 * @param resolveTimeoutMs how long a node holding accepted but unchosen slots waits for progress before it runs phase
 *     1 itself to finish them (seed 003, resolution strategy)
 * @param catchUpIntervalMs how often a node asks a random peer whether it is behind (seed 001)
 * @param catchUpMaxEntries most chosen values in one catch-up reply
 * @param catchUpMaxBytes most bytes of chosen values in one catch-up reply (at least one value is always sent)
 * @param backoffBaseMs first window of the randomized exponential backoff after a duel (seed 003)
 * @param backoffMaxMs largest backoff window
 * @param snapshotChunkBytes most bytes of a snapshot sent in one message
 * @param election the master election's name as the CLI spells it ({@code none}; see
 *     {@link io.synod.core.election.Elections})
 * @param leaseMs the master lease's length, for elections that hand out leases
 * @param maxDriftMs the largest drift between two nodes' clocks over one lease that the lease's safety assumes
 */
public record NodeConfig(
        int nodeId,
        List<Integer> members,
        int pipelineWindow,
        int openSlots,
        int acceptWindow,
        long acceptBytesMax,
        int maxBatchCommands,
        int maxBatchBytes,
        int maxPendingCommands,
        long heartbeatMs,
        long retransmitMs,
        long prepareTimeoutMs,
        long resolveTimeoutMs,
        long catchUpIntervalMs,
        int catchUpMaxEntries,
        int catchUpMaxBytes,
        long backoffBaseMs,
        long backoffMaxMs,
        int snapshotChunkBytes,
        String election,
        long leaseMs,
        long maxDriftMs) {

    public NodeConfig {
        members = List.copyOf(members);
        require(members.contains(nodeId), "node id " + nodeId + " is not among the members " + members);
        require(pipelineWindow >= 1, "pipelineWindow must be >= 1");
        require(openSlots >= 1 && openSlots <= pipelineWindow, "openSlots must be in [1, pipelineWindow]");
        require(acceptWindow >= pipelineWindow, "acceptWindow must be >= pipelineWindow");
        require(acceptBytesMax >= 1, "acceptBytesMax must be >= 1");
        require(maxBatchCommands >= 1, "maxBatchCommands must be >= 1");
        require(maxBatchBytes >= 1, "maxBatchBytes must be >= 1");
        require(maxPendingCommands >= 1, "maxPendingCommands must be >= 1");
        require(heartbeatMs >= 1 && retransmitMs >= 1 && prepareTimeoutMs >= 1, "timeouts must be >= 1 ms");
        require(resolveTimeoutMs >= 1 && catchUpIntervalMs >= 1, "timeouts must be >= 1 ms");
        require(catchUpMaxEntries >= 1 && catchUpMaxBytes >= 1, "catch-up bounds must be >= 1");
        require(backoffBaseMs >= 1 && backoffMaxMs >= backoffBaseMs, "backoff needs 1 <= base <= max");
        require(snapshotChunkBytes >= 1, "snapshotChunkBytes must be >= 1");
        require(election != null && !election.isBlank(), "election must be named");
        require(leaseMs >= 1, "leaseMs must be >= 1");
        require(maxDriftMs >= 0 && maxDriftMs < leaseMs, "maxDriftMs must be >= 0 and below leaseMs");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Defaults for a LAN cluster. */
    public static NodeConfig defaults(int nodeId, List<Integer> members) {
        return builder(nodeId, members).build();
    }

    /** A builder starting from the defaults of a LAN cluster. */
    public static Builder builder(int nodeId, List<Integer> members) {
        return new Builder(nodeId, members);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder(nodeId, members);
        b.pipelineWindow = pipelineWindow;
        b.openSlots = openSlots;
        b.acceptWindow = acceptWindow;
        b.acceptBytesMax = acceptBytesMax;
        b.maxBatchCommands = maxBatchCommands;
        b.maxBatchBytes = maxBatchBytes;
        b.maxPendingCommands = maxPendingCommands;
        b.heartbeatMs = heartbeatMs;
        b.retransmitMs = retransmitMs;
        b.prepareTimeoutMs = prepareTimeoutMs;
        b.resolveTimeoutMs = resolveTimeoutMs;
        b.catchUpIntervalMs = catchUpIntervalMs;
        b.catchUpMaxEntries = catchUpMaxEntries;
        b.catchUpMaxBytes = catchUpMaxBytes;
        b.backoffBaseMs = backoffBaseMs;
        b.backoffMaxMs = backoffMaxMs;
        b.snapshotChunkBytes = snapshotChunkBytes;
        b.election = election;
        b.leaseMs = leaseMs;
        b.maxDriftMs = maxDriftMs;
        return b;
    }

    /** Builds a {@link NodeConfig}; fields not set keep their defaults. */
    public static final class Builder {
        private final int nodeId;
        private final List<Integer> members;
        private int pipelineWindow = 64;
        private int openSlots = 2;
        private int acceptWindow = 256;
        private long acceptBytesMax = 32L << 20;
        private int maxBatchCommands = 1024;
        private int maxBatchBytes = 1 << 20;
        private int maxPendingCommands = 100_000;
        private long heartbeatMs = 50;
        private long retransmitMs = 100;
        private long prepareTimeoutMs = 1_000;
        private long resolveTimeoutMs = 400;
        private long catchUpIntervalMs = 250;
        private int catchUpMaxEntries = 512;
        private int catchUpMaxBytes = 4 << 20;
        private long backoffBaseMs = 20;
        private long backoffMaxMs = 1_000;
        private int snapshotChunkBytes = 1 << 20;
        private String election = "none";
        private long leaseMs = 2_000;
        private long maxDriftMs = 100;

        private Builder(int nodeId, List<Integer> members) {
            this.nodeId = nodeId;
            this.members = members;
        }

        /** Sets the pipeline window, raising the accept window to at least four times it. */
        public Builder pipelineWindow(int window) {
            this.pipelineWindow = window;
            this.acceptWindow = Math.max(acceptWindow, 4 * window);
            return this;
        }

        public Builder acceptWindow(int window) {
            this.acceptWindow = window;
            return this;
        }

        public Builder acceptBytesMax(long bytes) {
            this.acceptBytesMax = bytes;
            return this;
        }

        /** See {@link NodeConfig#openSlots()}; clipped to the pipeline window when built. */
        public Builder openSlots(int slots) {
            this.openSlots = slots;
            return this;
        }

        public Builder batching(int commands, int bytes) {
            this.maxBatchCommands = commands;
            this.maxBatchBytes = bytes;
            return this;
        }

        public Builder maxPendingCommands(int max) {
            this.maxPendingCommands = max;
            return this;
        }

        public Builder timeouts(long heartbeat, long retransmit, long prepareTimeout, long resolveTimeout,
                long catchUpInterval) {
            this.heartbeatMs = heartbeat;
            this.retransmitMs = retransmit;
            this.prepareTimeoutMs = prepareTimeout;
            this.resolveTimeoutMs = resolveTimeout;
            this.catchUpIntervalMs = catchUpInterval;
            return this;
        }

        public Builder catchUpBounds(int entries, int bytes) {
            this.catchUpMaxEntries = entries;
            this.catchUpMaxBytes = bytes;
            return this;
        }

        public Builder backoff(long baseMs, long maxMs) {
            this.backoffBaseMs = baseMs;
            this.backoffMaxMs = maxMs;
            return this;
        }

        public Builder snapshotChunkBytes(int bytes) {
            this.snapshotChunkBytes = bytes;
            return this;
        }

        /** The master election, by its CLI name ({@code none}). */
        public Builder election(String name) {
            this.election = name;
            return this;
        }

        /** The master lease's length and the clock drift its safety allows for. */
        public Builder lease(long leaseMs, long maxDriftMs) {
            this.leaseMs = leaseMs;
            this.maxDriftMs = maxDriftMs;
            return this;
        }

        public NodeConfig build() {
            return new NodeConfig(nodeId, members, pipelineWindow, Math.min(openSlots, pipelineWindow), acceptWindow, acceptBytesMax, maxBatchCommands,
                    maxBatchBytes, maxPendingCommands, heartbeatMs, retransmitMs, prepareTimeoutMs, resolveTimeoutMs,
                    catchUpIntervalMs, catchUpMaxEntries, catchUpMaxBytes, backoffBaseMs, backoffMaxMs,
                    snapshotChunkBytes, election, leaseMs, maxDriftMs);
        }
    }
}
