package io.synod.bench;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.core.StateMachine;
import io.synod.core.message.Envelope;
import io.synod.replica.Outcome;
import io.synod.replica.Replica;
import io.synod.replica.SnapshotPolicy;
import io.synod.storage.Storage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Real {@link Replica}s and {@link Node}s wired together in memory on one thread, with no I/O at all: records are
 * counted and dropped, messages go through a queue. It measures what the protocol and the loop cost by themselves.
 * Snapshots are taken (and counted, not written) every 4096 slots, so chosen values are compacted and memory stays flat
 * however long it runs.
 */
public final class InMemoryCluster {
    /** Counts records and forgets them; every sync is complete on return. */
    private static final class CountingStorage implements Storage {
        long records;
        long syncs;

        @Override
        public void append(List<Durable> batch) {
            records += batch.size();
        }

        @Override
        public boolean sync(long ticket) {
            syncs++;
            return true;
        }

        @Override
        public DurableState recover() {
            return DurableState.empty();
        }

        @Override
        public long saveSnapshot(long slot, StateMachine.Snapshot snapshot) {
            return 8;
        }

        @Override
        public byte[] readSnapshot(long slot, long offset, int maxBytes) {
            return null;
        }

        @Override
        public void writeSnapshotChunk(long slot, long offset, byte[] data) {
            throw new IllegalStateException("no snapshot transfer in the benchmark");
        }

        @Override
        public boolean finishSnapshot(long slot, long totalBytes) {
            return false;
        }

        @Override
        public StateMachine.SnapshotSource openSnapshot(long slot) {
            throw new IllegalStateException("no recovery in the benchmark");
        }

        @Override
        public void compact(long retainFrom) {
        }
    }

    /** Counts applied commands. */
    private static final class CountingStateMachine implements StateMachine {
        private static final byte[] EMPTY = new byte[0];
        long applied;

        @Override
        public byte[] apply(long slot, byte[] command) {
            applied++;
            return EMPTY;
        }

        @Override
        public Snapshot snapshot() {
            long count = applied;
            return sink -> sink.write(java.nio.ByteBuffer.allocate(8).putLong(count).array(), 0, 8);
        }

        @Override
        public void restore(SnapshotSource source) {
            throw new IllegalStateException("no recovery in the benchmark");
        }
    }

    private final List<Replica> replicas = new ArrayList<>();
    private final List<CountingStateMachine> machines = new ArrayList<>();
    private final List<CountingStorage> disks = new ArrayList<>();
    private final ArrayDeque<Envelope> wire = new ArrayDeque<>();
    private long now = 1;
    private long messages;

    public InMemoryCluster(int size, UnaryOperator<NodeConfig.Builder> tune) {
        List<Integer> members = new ArrayList<>();
        for (int id = 0; id < size; id++) {
            members.add(id);
        }
        for (int id = 0; id < size; id++) {
            NodeConfig config = tune.apply(NodeConfig.builder(id, members)).build();
            SplittableRandom random = new SplittableRandom(id);
            Node node = new Node(config, DurableState.empty(), random.split());
            CountingStorage disk = new CountingStorage();
            CountingStateMachine machine = new CountingStateMachine();
            // Snapshots (counted, not written) let the nodes compact, so memory stays flat.
            replicas.add(new Replica(node, disk, wire::addLast, machine, random.split(),
                    new Replica.Options(SnapshotPolicy.everySlots(4_096), 1_024)));
            machines.add(machine);
            disks.add(disk);
        }
    }

    /** Proposes {@code count} commands at node {@code id} in one batch of input, then runs until all are applied there. */
    public void proposeAndWait(int id, int count, byte[] payload) {
        Replica replica = replicas.get(id);
        long target = machines.get(id).applied + count;
        Consumer<Outcome> ignore = outcome -> { };
        replica.hold();
        for (int i = 0; i < count; i++) {
            replica.propose(now, payload, ignore);
        }
        replica.flush();
        runUntil(() -> machines.get(id).applied >= target);
    }

    /** Delivers messages (advancing time only when the wire is empty) until {@code done} holds. */
    public void runUntil(java.util.function.BooleanSupplier done) {
        int idle = 0;
        while (!done.getAsBoolean()) {
            Envelope envelope = wire.pollFirst();
            if (envelope == null) {
                now += 10;
                for (Replica replica : replicas) {
                    replica.tick(now);
                }
                if (++idle > 10_000) {
                    throw new IllegalStateException("in-memory cluster made no progress");
                }
                continue;
            }
            messages++;
            replicas.get(envelope.to()).receive(now, envelope);
        }
    }

    public long applied(int id) {
        return machines.get(id).applied;
    }

    public long appliedSlots(int id) {
        return replicas.get(id).appliedSlot();
    }

    public long messages() {
        return messages;
    }

    public long records(int id) {
        return disks.get(id).records;
    }
}
