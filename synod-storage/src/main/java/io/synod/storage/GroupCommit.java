package io.synod.storage;

import io.synod.core.Durable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A front for the write-ahead log that many threads can append to at once, each waiting until its record is durable.
 * One committer thread takes everything queued, writes it in one go and syncs once; records that arrive while it
 * syncs wait for the next round. Under load one fsync makes hundreds of records durable; a lone record costs one
 * write and one fsync.
 *
 * <p>Contract: {@link #append} is thread-safe and never blocks on I/O; its future completes, on the committer thread,
 * once the record is durable, or exceptionally if writing or syncing failed — after which every later append fails
 * too (a node never carries on past a failed sync). The queue is bounded: {@code append} blocks while it is full.
 */
public final class GroupCommit implements AutoCloseable {
    private record Pending(Durable record, CompletableFuture<Void> done) {}

    private final Wal wal;
    private final int maxQueued;
    private final Thread committer;
    private List<Pending> queue = new ArrayList<>();
    private boolean closed;
    private Throwable failure;

    /** Starts the committer thread. {@code maxQueued} bounds the records waiting for the next round. */
    public GroupCommit(Wal wal, int maxQueued) {
        this.wal = wal;
        this.maxQueued = maxQueued;
        this.committer = Thread.ofPlatform().name("synod-group-commit").daemon().start(this::run);
    }

    /** Queues {@code record}; the future completes once it is durable. */
    public CompletableFuture<Void> append(Durable record) throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            while (queue.size() >= maxQueued && !closed && failure == null) {
                wait();
            }
            if (failure != null || closed) {
                done.completeExceptionally(failure != null ? failure : new IllegalStateException("closed"));
                return done;
            }
            queue.add(new Pending(record, done));
            notifyAll();
        }
        return done;
    }

    private void run() {
        while (true) {
            List<Pending> batch;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException stop) {
                        return;
                    }
                }
                if (queue.isEmpty()) {
                    return;
                }
                batch = queue;
                queue = new ArrayList<>();
                notifyAll();
            }
            commit(batch);
        }
    }

    private void commit(List<Pending> batch) {
        Throwable earlier;
        synchronized (this) {
            earlier = failure;
        }
        if (earlier != null) {
            for (Pending pending : batch) {
                pending.done().completeExceptionally(earlier);
            }
            return;
        }
        List<Durable> records = new ArrayList<>(batch.size());
        for (Pending pending : batch) {
            records.add(pending.record());
        }
        try {
            wal.append(records);
            wal.syncPoint().run();
        } catch (IOException | RuntimeException error) {
            synchronized (this) {
                failure = error;
                notifyAll();
            }
            for (Pending pending : batch) {
                pending.done().completeExceptionally(error);
            }
            return;
        }
        for (Pending pending : batch) {
            pending.done().complete(null);
        }
    }

    /** Lets the committer finish what is queued, then stops it. */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        committer.join();
    }
}
