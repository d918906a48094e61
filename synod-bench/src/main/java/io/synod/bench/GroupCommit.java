package io.synod.bench;

import io.synod.core.Durable;
import io.synod.storage.Wal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * A front for the write-ahead log that many threads can append to at once, each waiting until its record is durable.
 * One committer thread takes everything queued, writes it in one go and syncs once; records that arrive while it
 * syncs wait for the next round. Under load one fsync makes hundreds of records durable; a lone record costs one
 * write and one fsync.
 *
 * <p>The hand-offs are lock-free: appenders add to a concurrent queue and wake the committer only if it sleeps; the
 * committer completes each round's futures after its fsync. With many appenders on few cores, waking threads costs
 * more than the fsync, so nothing on that path takes a lock.
 *
 * <p>Contract: {@link #append} is thread-safe and never blocks on I/O; its future completes, on the committer thread,
 * once the record is durable, or exceptionally if writing or syncing failed — after which every later append fails
 * too (a node never carries on past a failed sync). The queue is bounded: {@code append} blocks while it is full.
 *
 * <p>Only the benchmarks use it ({@link WalBenchmark}); a node's own group commit is the replica loop's, through
 * {@code WalStorage}.
 */
public final class GroupCommit implements AutoCloseable {
    private record Pending(Durable record, CompletableFuture<Void> done) {}

    private final Wal wal;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final Semaphore room;
    private final Thread committer;
    private volatile boolean sleeping;
    private volatile boolean closed;
    private volatile Throwable failure;

    /** Starts the committer thread. {@code maxQueued} bounds the records waiting for the next round. */
    public GroupCommit(Wal wal, int maxQueued) {
        this.wal = wal;
        this.room = new Semaphore(maxQueued);
        this.committer = Thread.ofPlatform().name("synod-group-commit").daemon().start(this::run);
    }

    /** Queues {@code record}; the future completes once it is durable. */
    public CompletableFuture<Void> append(Durable record) throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Throwable failed = failure;
        if (failed != null || closed) {
            done.completeExceptionally(failed != null ? failed : new IllegalStateException("closed"));
            return done;
        }
        room.acquire();
        queue.add(new Pending(record, done));
        if (sleeping) {
            LockSupport.unpark(committer);
        }
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            for (Pending next = queue.poll(); next != null; next = queue.poll()) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                if (closed) {
                    return;
                }
                sleeping = true;
                if (queue.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                sleeping = false;
                continue;
            }
            room.release(batch.size());
            commit(batch);
            batch = new ArrayList<>(batch.size());
        }
    }

    private void commit(List<Pending> batch) {
        Throwable earlier = failure;
        if (earlier == null) {
            List<Durable> records = new ArrayList<>(batch.size());
            for (Pending pending : batch) {
                records.add(pending.record());
            }
            try {
                wal.append(records);
                wal.syncPoint().run();
            } catch (IOException | RuntimeException error) {
                failure = error;
                earlier = error;
            }
        }
        for (Pending pending : batch) {
            if (earlier == null) {
                pending.done().complete(null);
            } else {
                pending.done().completeExceptionally(earlier);
            }
        }
    }

    /** Lets the committer finish what is queued, then stops it. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        LockSupport.unpark(committer);
        committer.join();
    }
}
