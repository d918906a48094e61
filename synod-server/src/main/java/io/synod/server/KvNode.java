package io.synod.server;

import io.synod.core.DurableState;
import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.core.NodeStatus;
import io.synod.core.Value;
import io.synod.core.election.NoMasterElection;
import io.synod.core.message.Envelope;
import io.synod.kv.KvStateMachine;
import io.synod.replica.Outcome;
import io.synod.replica.Replica;
import io.synod.replica.Transport;
import io.synod.storage.DataDir;
import io.synod.storage.Disk;
import io.synod.storage.DiskFullException;
import io.synod.storage.StorageFailure;
import io.synod.storage.WalStorage;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's state on its loop thread: the replica, the key-value state machine and the storage, and what to do when
 * the disk fails. Every method runs on the loop thread (see {@link NodeLoop}); other threads reach it only through
 * tasks.
 *
 * <p>A full disk makes the node <b>read-only</b>: it drops the replica (its in-memory protocol state may be ahead of
 * what is durable), refuses writes, keeps answering reads from the state it had, and reopens its data dir once a
 * second until appends work again — nothing is lost, because nothing was acknowledged that was not durable. A failed
 * fsync, or any other storage failure, stops the node: it never carries on past one.
 */
final class KvNode implements NodeLoop.Body {
    private static final Logger LOG = LoggerFactory.getLogger(KvNode.class);
    private static final long REOPEN_EVERY_MS = 1_000;

    private final ServerConfig config;
    private final NodeLoop loop;
    private final Transport transport;
    private final Metrics metrics;
    private final Consumer<Throwable> fatal;
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private final ExecutorService syncThread;
    private final ExecutorService snapshotThread;
    private final TreeMap<Long, List<Runnable>> slotWaiters = new TreeMap<>();
    private final DataDir dataDir;
    private final Disk disk;

    private WalStorage storage;
    private Replica replica;
    private KvStateMachine machine = new KvStateMachine();
    private boolean readOnly;
    private long reopenAtMs;
    private long lastAppliedBeforeReadOnly;
    private volatile NodeStatus published;

    KvNode(ServerConfig config, NodeLoop loop, Transport transport, Metrics metrics, DataDir dataDir, Disk disk,
            Consumer<Throwable> fatal) {
        this.disk = disk;
        this.config = config;
        this.loop = loop;
        this.transport = transport;
        this.metrics = metrics;
        this.dataDir = dataDir;
        this.fatal = fatal;
        this.syncThread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("synod-fsync").factory());
        this.snapshotThread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("synod-snapshot").factory());
    }

    /** Recovers from the data dir and starts a replica. Runs on the caller's thread before the loop starts. */
    void open() throws IOException {
        long started = System.nanoTime();
        storage = WalStorage.open(disk, WalStorage.Options.defaults(), metrics.timedSync(syncThread),
                snapshotThread, storageListener(), line -> LOG.info("storage: {}", line));
        DurableState recovered = storage.recover();
        NodeConfig nodeConfig = NodeConfig.builder(config.nodeId(), List.copyOf(config.peers().keySet())).build();
        Node node = new Node(nodeConfig, recovered, random.split(),
                new NoMasterElection(random.split(), nodeConfig.backoffBaseMs(), nodeConfig.backoffMaxMs()));
        machine = new KvStateMachine();
        replica = new Replica(node, storage, transport, metrics.counting(machine), random.split(),
                new Replica.Options(config.snapshotEverySlots(), config.retainSlots()));
        readOnly = false;
        // Apply the recovered log now, so the node never answers a read from a state machine that lacks it.
        replica.tick(loop.nowMs());
        LOG.info("recovered {} in {} ms: snapshot at slot {}, {} chosen and {} accepted slots after it, "
                        + "applied up to slot {}", dataDir.path(), (System.nanoTime() - started) / 1_000_000,
                recovered.snapshotSlot(), recovered.chosen().size(), recovered.accepted().size(),
                replica.appliedSlot());
    }

    private WalStorage.Listener storageListener() {
        return new WalStorage.Listener() {
            @Override
            public void synced(long ticket) {
                WalStorage current = storage;
                loop.submitInternal(() -> {
                    if (replica != null && storage == current) {
                        guarded(() -> replica.synced(loop.nowMs(), ticket));
                    }
                });
            }

            @Override
            public void snapshotSaved(long slot, long bytes) {
                WalStorage current = storage;
                loop.submitInternal(() -> {
                    if (replica != null && storage == current) {
                        guarded(() -> replica.snapshotSaved(loop.nowMs(), slot, bytes));
                    }
                });
            }

            @Override
            public void failed(RuntimeException failure) {
                loop.submitInternal(() -> onStorageFailure(failure));
            }
        };
    }

    // ----- NodeLoop.Body -----

    @Override
    public void beginBatch() {
        if (replica != null) {
            replica.hold();
        }
    }

    @Override
    public void endBatch() {
        if (replica != null) {
            guarded(replica::flush);
        }
        releaseSlotWaiters();
        publish();
    }

    /** Makes the current status readable from other threads (metrics scrapes). */
    private void publish() {
        published = status();
    }

    /** The status as of the loop's last batch; any thread. Null while read-only. */
    NodeStatus publishedStatus() {
        return published;
    }

    @Override
    public long tick(long nowMs) {
        if (readOnly) {
            if (nowMs >= reopenAtMs) {
                tryReopen();
            }
        } else if (replica != null) {
            guarded(() -> replica.tick(nowMs));
            releaseSlotWaiters();
        }
        publish();
        return wakeAtMs();
    }

    @Override
    public long wakeAtMs() {
        if (readOnly) {
            return reopenAtMs;
        }
        return replica == null ? loop.nowMs() + 1_000 : Math.min(replica.wakeAtMs(), loop.nowMs() + 1_000);
    }

    @Override
    public void failed(Throwable failure) {
        fatal.accept(failure);
    }

    // ----- what the API and the transport ask for (loop thread) -----

    /** A message from a peer. Dropped while read-only: the protocol treats it as lost. */
    void receive(Envelope envelope) {
        if (replica != null) {
            guarded(() -> replica.receive(loop.nowMs(), envelope));
        }
    }

    /**
     * Proposes a serialized KV command; {@code done} gets the outcome on this thread, or a {@link DiskFullException}
     * outcome if the node is read-only.
     */
    void propose(byte[] command, Consumer<Outcome> done) {
        if (replica == null) {
            done.accept(null);
            return;
        }
        metrics.proposed();
        guarded(() -> replica.propose(loop.nowMs(), command, done));
    }

    /** Runs {@code then} once every slot below {@code slot} is applied (at once if it already is). */
    void whenApplied(long slot, Runnable then) {
        if (appliedSlot() >= slot) {
            then.run();
        } else {
            slotWaiters.computeIfAbsent(slot, s -> new ArrayList<>()).add(then);
        }
    }

    private void releaseSlotWaiters() {
        long applied = appliedSlot();
        while (!slotWaiters.isEmpty() && slotWaiters.firstKey() <= applied) {
            for (Runnable waiter : slotWaiters.pollFirstEntry().getValue()) {
                waiter.run();
            }
        }
    }

    boolean isReadOnly() {
        return readOnly;
    }

    KvStateMachine machine() {
        return machine;
    }

    /** Every slot below this is applied to the state machine. */
    long appliedSlot() {
        return replica == null ? lastAppliedBeforeReadOnly : replica.appliedSlot();
    }

    /** The protocol's status, or null while read-only. */
    NodeStatus status() {
        return replica == null ? null : replica.status();
    }

    /** The chosen value of {@code slot} if this node still holds it; null otherwise. */
    Value chosenValue(long slot) {
        return replica == null ? null : replica.node().chosenValue(slot);
    }

    ServerConfig config() {
        return config;
    }

    // ----- failures -----

    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (DiskFullException full) {
            goReadOnly(full);
        } catch (StorageFailure failure) {
            onStorageFailure(failure);
        }
    }

    private void onStorageFailure(RuntimeException failure) {
        if (failure instanceof DiskFullException full) {
            goReadOnly(full);
            return;
        }
        LOG.error("storage failure, stopping: {}", failure.getMessage());
        dropReplica();
        fatal.accept(failure);
    }

    private void goReadOnly(DiskFullException full) {
        if (!readOnly) {
            LOG.warn("disk full ({}): refusing writes, serving reads from slot {} until space returns",
                    full.getMessage(), appliedSlot());
        }
        lastAppliedBeforeReadOnly = appliedSlot();
        readOnly = true;
        dropReplica();
        closeStorage();
        reopenAtMs = loop.nowMs() + REOPEN_EVERY_MS;
        metrics.diskFull(true);
    }

    /** Forgets the replica; proposals it still held are answered as of unknown outcome. */
    private void dropReplica() {
        Replica abandoned = replica;
        replica = null;
        if (abandoned != null) {
            abandoned.abandon();
        }
    }

    private void tryReopen() {
        KvStateMachine serving = machine;
        try {
            open();
            LOG.info("disk has space again: node is back");
            metrics.diskFull(false);
        } catch (DiskFullException stillFull) {
            machine = serving;
            replica = null;
            closeStorage();
            reopenAtMs = loop.nowMs() + REOPEN_EVERY_MS;
        } catch (IOException | StorageFailure failure) {
            onStorageFailure(failure instanceof StorageFailure s ? s
                    : new StorageFailure("cannot reopen " + dataDir.path() + ": " + failure.getMessage(), failure));
        }
    }

    private void closeStorage() {
        if (storage != null) {
            try {
                storage.close();
            } catch (IOException ignored) {
                // Reopening reads the files again.
            }
            storage = null;
        }
    }

    /** Stops background threads, letting the fsync in flight finish, and closes the log. Loop thread or after it. */
    void close() throws InterruptedException {
        syncThread.shutdown();
        snapshotThread.shutdown();
        syncThread.awaitTermination(10, TimeUnit.SECONDS);
        snapshotThread.awaitTermination(30, TimeUnit.SECONDS);
        closeStorage();
    }
}
