package io.synod.storage;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.StateMachine;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@link Storage} on a {@link Disk}: the write-ahead log ({@link Wal}) and the snapshot files ({@link SnapshotStore}).
 *
 * <p>Group commit: {@link #append} writes records to the log at once (into the operating system's cache); {@link #sync}
 * asks for a sync round on the sync executor, off the loop thread. At most one round waits to start: requests that
 * come while a round is queued or running join the next round, which captures everything appended by the time it
 * starts and reports the highest ticket it covers. So however many Readys ask for a sync during one fsync, the next
 * single fsync makes them all durable. The executor must run tasks one at a time in order (a single thread, or the
 * simulator's event queue); completion is reported to {@link Listener#synced} from the executor, which must hand it
 * back to the loop. Without a sync executor, syncs run inline and {@code sync} returns true.
 *
 * <p>Snapshots are written by the snapshot executor (the state machine's encoding can take seconds for a large state)
 * and reported with {@link Listener#snapshotSaved}; without one they are written inline.
 */
public final class WalStorage implements Storage, AutoCloseable {
    /** Completions, called on the executors' threads. */
    public interface Listener {
        /** Every record appended before {@code sync(ticket)} was called is durable. */
        void synced(long ticket);

        /** The snapshot at {@code slot} is durable and {@code bytes} long. */
        void snapshotSaved(long slot, long bytes);

        /**
         * An fsync or a snapshot write failed. A {@link StorageFailure} means the node must stop; a
         * {@link DiskFullException} (from a snapshot write) means the disk is full: the node goes read-only until
         * space returns.
         */
        void failed(RuntimeException failure);
    }

    /**
     * @param wal segment size and record bound
     */
    public record Options(Wal.Options wal) {
        public static Options defaults() {
            return new Options(Wal.Options.defaults());
        }
    }

    private final Disk disk;
    private final Wal wal;
    private final SnapshotStore snapshots;
    private final Executor syncExecutor;
    private final Executor snapshotExecutor;
    private final Listener listener;
    private final Consumer<String> log;
    private DurableState recovered;
    /** Guards the log between the loop thread (appends) and the sync thread (capturing a round's sync point). */
    private final Object walLock = new Object();
    private long requestedTicket;
    private boolean roundQueued;

    private WalStorage(Disk disk, Wal wal, SnapshotStore snapshots, Executor syncExecutor, Executor snapshotExecutor,
            Listener listener, Consumer<String> log, DurableState recovered) {
        this.disk = disk;
        this.wal = wal;
        this.snapshots = snapshots;
        this.syncExecutor = syncExecutor;
        this.snapshotExecutor = snapshotExecutor;
        this.listener = listener;
        this.log = log;
        this.recovered = recovered;
    }

    /**
     * Recovers what {@code disk} holds (newest snapshot, then every good log record after it) and opens it for
     * writing. Torn tails are cut and reported to {@code log}.
     *
     * @param syncExecutor runs fsyncs in order, or null to sync inline
     * @param snapshotExecutor writes snapshots, or null to write them inline
     * @throws CorruptionException if the log or the newest snapshot is damaged beyond a torn tail
     */
    public static WalStorage open(Disk disk, Options options, Executor syncExecutor, Executor snapshotExecutor,
            Listener listener, Consumer<String> log) throws IOException {
        Wal.Options walOptions = options.wal();
        SnapshotStore snapshots = SnapshotStore.open(disk, log);
        DurableState state = DurableState.empty();
        SnapshotStore.Newest newest = snapshots.newest();
        state.startAfterSnapshot(newest.slot(), newest.bytes());
        Wal wal = Wal.open(disk, walOptions, state::replay, log);
        return new WalStorage(disk, wal, snapshots, syncExecutor, snapshotExecutor, listener, log, state);
    }

    @Override
    public void append(List<Durable> records) {
        try {
            synchronized (walLock) {
                wal.append(records);
            }
        } catch (DiskFullException full) {
            throw full;
        } catch (IOException failure) {
            throw new StorageFailure("cannot write the log in " + disk.describe() + ": " + failure.getMessage(),
                    failure);
        }
    }

    @Override
    public boolean sync(long ticket) {
        if (syncExecutor != null) {
            synchronized (walLock) {
                requestedTicket = Math.max(requestedTicket, ticket);
                if (roundQueued) {
                    return false; // the queued round will cover this ticket too
                }
                roundQueued = true;
            }
            syncExecutor.execute(this::syncRound);
            return false;
        }
        Wal.SyncPoint point;
        synchronized (walLock) {
            point = wal.syncPoint();
        }
        run(point);
        return true;
    }

    /** One sync round, on the sync executor: everything appended by now becomes durable, in one fsync per file. */
    private void syncRound() {
        Wal.SyncPoint point;
        long covered;
        synchronized (walLock) {
            roundQueued = false;
            covered = requestedTicket;
            point = wal.syncPoint();
        }
        try {
            point.run();
        } catch (IOException failure) {
            listener.failed(new StorageFailure("fsync failed in " + disk.describe() + ": " + failure.getMessage(),
                    failure));
            return;
        }
        listener.synced(covered);
    }

    private void run(Wal.SyncPoint point) {
        try {
            point.run();
        } catch (IOException failure) {
            throw new StorageFailure("fsync failed in " + disk.describe() + ": " + failure.getMessage(), failure);
        }
    }

    @Override
    public DurableState recover() {
        DurableState state = recovered;
        if (state == null) {
            throw new IllegalStateException("recover() is called once, right after open");
        }
        recovered = null;
        return state;
    }

    @Override
    public long saveSnapshot(long slot, StateMachine.Snapshot snapshot) {
        if (snapshotExecutor == null) {
            return writeSnapshot(slot, snapshot);
        }
        snapshotExecutor.execute(() -> {
            long bytes;
            try {
                bytes = writeSnapshot(slot, snapshot);
            } catch (StorageFailure | DiskFullException failure) {
                listener.failed(failure);
                return;
            }
            listener.snapshotSaved(slot, bytes);
        });
        return -1;
    }

    private long writeSnapshot(long slot, StateMachine.Snapshot snapshot) {
        try {
            long bytes = snapshots.save(slot, snapshot);
            log.accept("wrote snapshot at slot " + slot + " (" + bytes + " bytes)");
            return bytes;
        } catch (IOException failure) {
            throw new StorageFailure("cannot write a snapshot in " + disk.describe() + ": "
                    + failure.getMessage(), failure);
        }
    }

    @Override
    public byte[] readSnapshot(long slot, long offset, int maxBytes) {
        try {
            return snapshots.read(slot, offset, maxBytes);
        } catch (IOException failure) {
            throw new StorageFailure("cannot read snapshot " + slot + ": " + failure.getMessage(), failure);
        }
    }

    @Override
    public void writeSnapshotChunk(long slot, long offset, byte[] data) {
        try {
            snapshots.receive(slot, offset, data);
        } catch (IOException failure) {
            throw new StorageFailure("cannot write a received snapshot: " + failure.getMessage(), failure);
        }
    }

    @Override
    public boolean finishSnapshot(long slot, long totalBytes) {
        try {
            return snapshots.finishReceive(slot, totalBytes, log);
        } catch (IOException failure) {
            throw new StorageFailure("cannot finish a received snapshot: " + failure.getMessage(), failure);
        }
    }

    @Override
    public StateMachine.SnapshotSource openSnapshot(long slot) {
        try {
            return snapshots.open(slot);
        } catch (IOException failure) {
            throw new StorageFailure("cannot open snapshot " + slot + ": " + failure.getMessage(), failure);
        }
    }

    @Override
    public void compact(long retainFrom) {
        synchronized (walLock) {
            wal.compact(retainFrom);
        }
    }

    /** How many log segments exist (for tests and metrics). */
    public int segmentCount() {
        return wal.segmentCount();
    }

    @Override
    public void close() throws IOException {
        wal.close();
    }
}
