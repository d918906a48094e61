package io.synod.sim;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.core.StateMachine;
import io.synod.kv.KvStateMachine;
import io.synod.kv.KvStore;
import io.synod.replica.kv.KvAnswer;
import io.synod.replica.kv.KvRequest;
import io.synod.replica.kv.KvService;
import io.synod.core.message.Envelope;
import io.synod.replica.Outcome;
import io.synod.replica.Replica;
import io.synod.storage.CorruptionException;
import io.synod.storage.DiskFullException;
import io.synod.storage.Storage;
import io.synod.storage.StorageFailure;
import io.synod.storage.Wal;
import io.synod.storage.WalStorage;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One simulated node: the real {@link Replica}, {@link Node} and {@link WalStorage} on a {@link SimDisk}, with its own
 * drifting clock, running the real {@link KvStateMachine} behind the real {@link KvService}. It lives across crashes: the disk survives (minus what a crash loses); the replica, the state machine
 * and the storage object are rebuilt from the disk on restart, as a new process would.
 *
 * <p>States: <b>up</b> (a replica runs), <b>down</b> (crashed or stopped, waiting to restart), <b>read-only</b> (its
 * disk filled up: the replica is gone, the process waits for space), <b>dead</b> (its disk is corrupt: it refused to
 * start and stays down, which uses up one of the f failures the cluster tolerates).
 */
final class SimNode {
    /** How long a node's service lets a request wait before answering it as timed out (local ms). */
    static final long SERVICE_TIMEOUT_MS = 1_000;

    final int id;
    private final Simulation sim;
    private final List<Integer> members;
    final SimClock clock;
    private final SplittableRandom random;
    final SimDisk disk;
    private final StorageClaims claims;
    Replica replica;
    CheckedStore store;
    KvService service;
    private WalStorage storage;
    int incarnation;
    boolean dead;
    String deathReason;
    private long wakeAt = Long.MAX_VALUE;
    private long syncFreeAt;
    private long snapshotFreeAt;

    SimNode(Simulation sim, int id, List<Integer> members, SimClock clock, SplittableRandom random) {
        this.sim = sim;
        this.id = id;
        this.members = members;
        this.clock = clock;
        this.random = random;
        this.disk = new SimDisk("node" + id);
        this.claims = new StorageClaims(id, sim.checkers);
    }

    long local() {
        return clock.local(sim.now());
    }

    boolean isUp() {
        return replica != null;
    }

    /** Starts a process on this node's disk: recovery, then a fresh replica. A corrupt disk kills the node for good. */
    void start() {
        if (dead || replica != null) {
            return;
        }
        incarnation++;
        disk.closeAll();
        Scenario scenario = sim.scenario;
        int expected = incarnation;
        try {
            storage = WalStorage.open(sim.options.seams().disks().make(id, disk), new WalStorage.Options(
                            new Wal.Options(scenario.segmentBytes(), 64 << 20, sim.options.seams().recordCheck())),
                    executor(expected, true), executor(expected, false), listener(expected), line -> { });
        } catch (CorruptionException corrupt) {
            dead = true;
            deathReason = corrupt.getMessage();
            sim.note(id, "refused to start: " + corrupt.getMessage());
            return;
        } catch (IOException failure) {
            // An injected fsync failure at start-up: the process stops; the operator tries again later.
            sim.note(id, "failed to start: " + failure.getMessage());
            storage = null;
            sim.schedule(sim.now() + 200 + random.nextInt(1_000), Simulation.Kind.RESTART, id, "", this::start);
            return;
        }
        DurableState recovered = storage.recover();
        claims.checkRecovered(recovered);
        sim.checkers.onRecovered(id, recovered);
        NodeConfig config = NodeConfig.builder(id, members)
                .pipelineWindow(scenario.pipelineWindow())
                .batching(scenario.maxBatchCommands(), 1 << 20)
                .snapshotChunkBytes(scenario.snapshotChunkBytes())
                .acceptBytesMax(scenario.acceptBytesMax())
                .election(scenario.election())
                .lease(scenario.leaseMs(), scenario.maxDriftMs())
                .build();
        SplittableRandom nodeRandom = random.split();
        Node node = new Node(config, recovered, nodeRandom.split(), sim.options.seams().parts().apply(config));
        store = new CheckedStore(id, sim.options.seams().stores().make(id, new KvStateMachine()), sim.checkers);
        replica = new Replica(node, sim.options.seams().storages().make(id, new CheckedStorage(storage)), sim::send, store, nodeRandom.split(),
                new Replica.Options(scenario.snapshotPolicy(), scenario.retainSlots()));
        service = new KvService(new Host(), sim.options.seams().readOrdering().get(),
                new KvService.Options(SERVICE_TIMEOUT_MS, 10_000));
        wakeAt = Long.MAX_VALUE;
        guarded(() -> {
            replica.tick(local());
            service.tick(local());
        });
    }

    /** Runs sync and snapshot work later, in order, as a background thread would; drops it after a crash. */
    private Executor executor(int expected, boolean sync) {
        return task -> {
            long latency = sim.scenario.fsyncMaxMs() == 0 ? 0 : random.nextInt(sim.scenario.fsyncMaxMs() + 1);
            long at = Math.max(sim.now() + latency, sync ? syncFreeAt : snapshotFreeAt);
            if (sync) {
                syncFreeAt = at;
            } else {
                snapshotFreeAt = at;
            }
            sim.schedule(at, sync ? Simulation.Kind.SYNC : Simulation.Kind.SNAPSHOT, id, "", () -> {
                if (expected == incarnation && replica != null) {
                    task.run();
                }
            });
        };
    }

    private WalStorage.Listener listener(int expected) {
        return new WalStorage.Listener() {
            @Override
            public void synced(long ticket) {
                claims.synced(ticket);
                guarded(() -> replica.synced(local(), ticket));
            }

            @Override
            public void snapshotSaved(long slot, long bytes) {
                guarded(() -> replica.snapshotSaved(local(), slot, bytes));
            }

            @Override
            public void failed(RuntimeException failure) {
                stopAfter(failure);
            }
        };
    }

    /** Runs a step of the replica; a full disk or a failed fsync stops the process as the server would. */
    private void guarded(Runnable step) {
        if (replica == null) {
            return;
        }
        try {
            step.run();
        } catch (DiskFullException | StorageFailure failure) {
            stopAfter(failure);
            return;
        }
        if (service != null) {
            service.afterApply();
        }
        scheduleWake();
    }

    private void stopAfter(RuntimeException failure) {
        if (failure instanceof DiskFullException) {
            // The server goes read-only and reopens the disk when space returns; nothing is lost.
            sim.note(id, "disk full: read-only until space returns");
            stop(false);
            sim.schedule(sim.now() + 100, Simulation.Kind.RESTART, id, "disk check", this::reopenWhenSpace);
        } else {
            // A failed fsync: the process stops; what was not synced may be gone. The operator restarts it.
            sim.note(id, "storage failure: " + failure.getMessage());
            crash();
            sim.schedule(sim.now() + 200 + random.nextInt(2_000), Simulation.Kind.RESTART, id, "", this::start);
        }
    }

    private void reopenWhenSpace() {
        if (dead || replica != null) {
            return;
        }
        if (disk.isFull()) {
            sim.schedule(sim.now() + 100, Simulation.Kind.RESTART, id, "disk check", this::reopenWhenSpace);
        } else {
            start();
        }
    }

    /** Stops the process; with {@code lose}, the machine crashed too and unsynced bytes may be gone. */
    private void stop(boolean lose) {
        if (lose) {
            disk.crash(random, sim.scenario.tornTails());
        } else {
            disk.closeAll();
        }
        claims.crashed();
        replica = null;
        store = null;
        service = null;
        storage = null;
        incarnation++;
    }

    void crash() {
        stop(true);
    }

    /**
     * Stops the process cleanly (the machine stays up, so nothing written is lost), as SIGTERM does: the node first
     * releases what its election holds, and its messages go out.
     */
    void stopCleanly() {
        if (replica != null) {
            guarded(() -> replica.release(local()));
        }
        if (replica != null) {
            stop(false);
        }
    }

    /** What this node's election publishes now: the master it believes in, and until when it may read locally. */
    io.synod.core.election.Mastership mastership() {
        return replica.status().mastership();
    }

    void deliver(Envelope envelope) {
        guarded(() -> replica.receive(local(), envelope));
    }

    /**
     * Hands a client's request to this node's key-value service; {@code answer} gets a {@link KvAnswer.Write} or a
     * {@link KvAnswer.Read}, unless the process dies first. Called only while the node is up.
     */
    void submit(KvRequest request, Consumer<Object> answer) {
        guarded(() -> {
            switch (request) {
                case KvRequest.Put put -> service.put(put, answer::accept);
                case KvRequest.Delete delete -> service.delete(delete, answer::accept);
                case KvRequest.Get get -> service.get(get, answer::accept);
                case KvRequest.ListPrefix list -> service.list(list, answer::accept);
            }
        });
    }

    /** The service's host: this process's replica and store, with the simulator's view of its connections. */
    private final class Host implements KvService.Host {
        @Override
        public long nowMs() {
            return local();
        }

        @Override
        public int nodeId() {
            return id;
        }

        @Override
        public io.synod.core.election.Mastership mastership() {
            return replica.status().mastership();
        }

        @Override
        public long committedSlot() {
            return replica.status().committed();
        }


        @Override
        public KvStore store() {
            return store;
        }

        @Override
        public long appliedSlot() {
            return replica.appliedSlot();
        }

        @Override
        public boolean writable() {
            return replica != null;
        }

        @Override
        public boolean majorityReachable() {
            return sim.majorityReachableFrom(id);
        }

        @Override
        public void propose(byte[] command, Consumer<Outcome> done) {
            replica.propose(local(), command, done);
        }

        @Override
        public void readIndex(Consumer<io.synod.replica.ReadOutcome> done) {
            replica.readIndex(local(), done);
        }
    }

    private void scheduleWake() {
        if (replica == null) {
            return;
        }
        long wakeLocal = Math.min(replica.wakeAtMs(), service.wakeAtMs());
        if (wakeLocal == Long.MAX_VALUE) {
            return;
        }
        long global = Math.max(sim.now(), clock.globalAt(wakeLocal));
        if (global < wakeAt || wakeAt < sim.now()) {
            wakeAt = global;
            int expected = incarnation;
            sim.schedule(global, Simulation.Kind.WAKE, id, "", () -> wake(expected, global));
        }
    }

    private void wake(int expected, long scheduledFor) {
        if (replica == null || expected != incarnation || scheduledFor != wakeAt) {
            return;
        }
        wakeAt = Long.MAX_VALUE;
        guarded(() -> {
            replica.tick(local());
            service.tick(local());
        });
    }

    /** The node's storage as the checkers see it: every append and sync is shown to them. */
    private final class CheckedStorage extends ForwardingStorage {
        CheckedStorage(WalStorage delegate) {
            super(delegate);
        }

        @Override
        public void append(List<Durable> records) {
            delegate.append(records);
            for (Durable record : records) {
                sim.checkers.onAppended(id, record);
            }
            claims.appended(records);
        }

        @Override
        public boolean sync(long ticket) {
            claims.syncRequested(ticket);
            boolean done = delegate.sync(ticket);
            if (done) {
                claims.synced(ticket);
            }
            return done;
        }
    }
}
