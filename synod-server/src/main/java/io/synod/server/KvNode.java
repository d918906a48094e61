package io.synod.server;

import io.synod.core.DurableState;
import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.core.NodeStatus;
import io.synod.core.election.Mastership;
import io.synod.core.Value;
import io.synod.core.message.Envelope;
import io.synod.core.Invariants;
import io.synod.kv.KvStateMachine;
import io.synod.kv.KvStore;
import io.synod.replica.kv.KvService;
import io.synod.replica.kv.LeaseReads;
import io.synod.replica.kv.ReadIndexReads;
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
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
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
 *
 * <p>It is also the {@link KvService.Host} of the node's key-value service: the service decides every request, on the
 * loop thread, through this node's replica and store.
 */
final class KvNode implements NodeLoop.Body, KvService.Host {
    private static final Logger LOG = LoggerFactory.getLogger(KvNode.class);
    private static final long REOPEN_EVERY_MS = 1_000;

    /** A peer silent for this long counts as unreachable (it pings every {@value #PEER_PING_MS} ms when idle). */
    static final long PEER_SILENCE_MS = 2_000;
    /** How often an idle peer connection sends a keep-alive ping. */
    static final long PEER_PING_MS = 500;

    private final ServerConfig config;
    private final NodeLoop loop;
    private final Transport transport;
    private final Peers peers;
    private final KvService service;
    private final Metrics metrics;
    private final Consumer<Throwable> fatal;
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private final ExecutorService syncThread;
    private final ExecutorService snapshotThread;
    private final DataDir dataDir;
    private final Disk disk;

    private WalStorage storage;
    private Replica replica;
    private KvStateMachine machine = new KvStateMachine();
    private boolean readOnly;
    private long reopenAtMs;
    private long lastAppliedBeforeReadOnly;
    private volatile NodeStatus published;

    KvNode(ServerConfig config, NodeLoop loop, Transport transport, Peers peers, Metrics metrics, DataDir dataDir,
            Disk disk, Consumer<Throwable> fatal) {
        this.disk = disk;
        this.config = config;
        this.loop = loop;
        this.transport = transport;
        this.peers = peers;
        // The service's own timeout comes first; the HTTP layer's, a little later, only guards against a stuck loop.
        this.service = new KvService(this, new LeaseReads(new ReadIndexReads()),
                new KvService.Options(config.requestTimeoutMs(), 100_000));
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
        NodeConfig nodeConfig = NodeConfig.builder(config.nodeId(), List.copyOf(config.peers().keySet()))
                .election(config.election()).lease(config.leaseMs(), config.maxDriftMs()).build();
        Node node = new Node(nodeConfig, recovered, random.split());
        machine = new KvStateMachine();
        replica = new Replica(node, storage, transport, metrics.counting(machine), random.split(),
                new Replica.Options(config.snapshots(), config.retainSlots()));
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
        service.afterApply();
        publish();
    }

    /** Makes the current status readable from other threads (metrics scrapes); while read-only the last one stays. */
    private void publish() {
        status().ifPresent(now -> published = now);
    }

    /** The status as of the loop's last batch (the last known while read-only); any thread. Null before start. */
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
        }
        service.tick(nowMs);
        service.afterApply();
        publish();
        return wakeAtMs();
    }

    @Override
    public long wakeAtMs() {
        long own = readOnly ? reopenAtMs
                : replica == null ? loop.nowMs() + 1_000 : Math.min(replica.wakeAtMs(), loop.nowMs() + 1_000);
        return Math.min(own, service.wakeAtMs());
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

    // ----- KvService.Host -----

    @Override
    public long nowMs() {
        return loop.nowMs();
    }

    @Override
    public KvStore store() {
        return machine;
    }

    @Override
    public int nodeId() {
        return config.nodeId();
    }

    /** Loop thread only. */
    @Override
    public Mastership mastership() {
        return replica == null ? Mastership.NONE : replica.status().mastership();
    }

    /** Loop thread only. */
    @Override
    public long committedSlot() {
        return replica == null ? appliedSlot() : replica.status().committed();
    }

    /** Every slot below this is applied to the state machine. */
    @Override
    public long appliedSlot() {
        return replica == null ? lastAppliedBeforeReadOnly : replica.appliedSlot();
    }

    @Override
    public boolean writable() {
        return replica != null;
    }

    /** This node and the peers it heard from recently are a majority of the members. Any thread. */
    @Override
    public boolean majorityReachable() {
        int reachable = 1;
        for (int peer : config.peers().keySet()) {
            if (peer != config.nodeId() && peers.isReachable(peer)) {
                reachable++;
            }
        }
        return reachable > config.peers().size() / 2;
    }

    /** Proposes a serialized KV command; {@code done} gets the outcome on this thread. Only while writable. */
    @Override
    public void propose(byte[] command, Consumer<Outcome> done) {
        Invariants.check(replica != null, "proposal while read-only");
        metrics.proposed();
        guarded(() -> replica.propose(loop.nowMs(), command, done));
    }

    @Override
    public void readIndex(Consumer<io.synod.replica.ReadOutcome> done) {
        Invariants.check(replica != null, "read ordering while read-only");
        guarded(() -> replica.readIndex(loop.nowMs(), done));
    }

    /** The key-value service that decides every request. */
    KvService service() {
        return service;
    }

    boolean isReadOnly() {
        return readOnly;
    }

    /**
     * The revision of the first command of {@code slot}, or 0 if the slot is not applied here or its commands are no
     * longer all known. Every command the store applied took the next revision, so counting the commands of the
     * applied slots from {@code slot} on back from the store's revision gives it; those slots are all retained.
     */
    long firstRevisionOf(long slot) {
        NodeStatus status = status().orElse(null);
        if (status == null || slot < status.firstRetained() || slot >= appliedSlot()) {
            return 0;
        }
        long revision = machine.revision() + 1;
        for (long s = appliedSlot() - 1; s >= slot; s--) {
            Value value = chosenValue(s);
            if (value == null) {
                return 0;
            }
            revision -= value.commands().size();
        }
        return revision;
    }

    /** The protocol's status; empty while there is no replica (read-only, or stopping after a storage failure). */
    Optional<NodeStatus> status() {
        return replica == null ? Optional.empty() : Optional.of(replica.status());
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
        dropReplica(new Outcome.Unknown());
        fatal.accept(failure);
    }

    private void goReadOnly(DiskFullException full) {
        if (!readOnly) {
            LOG.warn("disk full ({}): refusing writes, serving reads from slot {} until space returns",
                    full.getMessage(), appliedSlot());
        }
        lastAppliedBeforeReadOnly = appliedSlot();
        readOnly = true;
        dropReplica(new Outcome.DiskFull());
        closeStorage();
        reopenAtMs = loop.nowMs() + REOPEN_EVERY_MS;
        metrics.diskFull(true);
    }

    /**
     * Forgets the replica; proposals it still held are answered {@code why} ({@link Outcome.DiskFull} when the disk
     * filled up, else {@link Outcome.Unknown}): either way their outcome is unknown.
     */
    private void dropReplica(Outcome why) {
        Replica abandoned = replica;
        replica = null;
        if (abandoned != null) {
            if (why instanceof Outcome.DiskFull) {
                abandoned.abandonDiskFull();
            } else {
                abandoned.abandon();
            }
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

    /**
     * The node is about to stop cleanly: its election gives up what it holds (a master releases its lease, so a
     * successor need not wait for it to run out). The messages go to the transport before this returns.
     */
    void release() {
        if (replica != null) {
            guarded(() -> replica.release(loop.nowMs()));
        }
    }

    /** Stops background threads, letting the fsync in flight finish, and closes the log. Loop thread or after it. */
    void close() throws InterruptedException {
        service.abandon();
        syncThread.shutdown();
        snapshotThread.shutdown();
        syncThread.awaitTermination(10, TimeUnit.SECONDS);
        snapshotThread.awaitTermination(30, TimeUnit.SECONDS);
        closeStorage();
    }
}
