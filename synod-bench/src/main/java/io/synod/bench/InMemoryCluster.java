package io.synod.bench;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.core.StateMachine;
import io.synod.core.election.NoMasterElection;
import io.synod.core.message.Envelope;
import io.synod.replica.Outcome;
import io.synod.replica.Replica;
import io.synod.replica.Storage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Real {@link Replica}s and {@link Node}s wired together in memory on one thread, with no I/O at all: records are
 * counted and dropped, messages go through a queue. It measures what the protocol and the loop cost by themselves.
 * Chosen values are compacted as they are applied, so memory stays flat however long it runs.
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
            Node node = new Node(config, DurableState.empty(), random.split(),
                    new NoMasterElection(random.split(), config.backoffBaseMs(), config.backoffMaxMs()));
            CountingStorage disk = new CountingStorage();
            CountingStateMachine machine = new CountingStateMachine();
            replicas.add(new Replica(node, disk, wire::addLast, machine, random.split()));
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
            compact(envelope.to());
        }
    }

    private void compact(int id) {
        Node node = replicas.get(id).node();
        long applied = node.status().applied();
        if (applied - node.status().firstRetained() > 4_096) {
            node.compactBelow(applied - 1_024);
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
