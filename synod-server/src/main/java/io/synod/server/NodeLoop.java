package io.synod.server;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a node's replica. Other threads (the peer transport, HTTP handlers, the storage's sync
 * thread) hand it work as tasks; it runs each batch of tasks between {@code hold} and {@code flush} of the replica, so
 * what arrives together is obeyed together, and ticks the replica when it asks to be woken.
 *
 * <p>External work is bounded: {@link #offer} refuses when {@code maxQueued} tasks wait (the caller answers 503, or
 * drops a peer message, which the protocol resends). Internal completions ({@link #submitInternal}) are never refused:
 * their number is bounded by the work in flight.
 */
final class NodeLoop implements AutoCloseable {
    /** What the loop drives; every method is called on the loop thread. */
    interface Body {
        void beginBatch();

        void endBatch();

        /** Runs timers; returns when to be woken next (loop clock, ms). */
        long tick(long nowMs);

        /** When to be woken next without a tick (loop clock, ms). */
        long wakeAtMs();

        /** A task threw: the node cannot go on. */
        void failed(Throwable failure);
    }

    private static final Logger LOG = LoggerFactory.getLogger(NodeLoop.class);
    private static final int BATCH_MAX = 4_096;

    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final AtomicInteger external = new AtomicInteger();
    private final int maxQueued;
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;
    private Body body;

    NodeLoop(String name, int maxQueued) {
        this.maxQueued = maxQueued;
        this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
    }

    void start(Body body) {
        this.body = body;
        thread.start();
    }

    /** The loop's clock: monotonic milliseconds since the loop was made (never goes backwards). */
    long nowMs() {
        return (System.nanoTime() - startNanos) / 1_000_000 + 1;
    }

    /** Queues external work; false if the queue is full. */
    boolean offer(Runnable task) {
        if (external.incrementAndGet() > maxQueued) {
            external.decrementAndGet();
            return false;
        }
        tasks.add(() -> {
            external.decrementAndGet();
            task.run();
        });
        return true;
    }

    /** Queues a completion the loop must not lose (an fsync finished, a snapshot was written). */
    void submitInternal(Runnable task) {
        tasks.add(task);
    }

    private void run() {
        try {
            while (running) {
                long waitMs = Math.max(0, body.wakeAtMs() - nowMs());
                Runnable first = tasks.poll(Math.min(waitMs, 1_000), TimeUnit.MILLISECONDS);
                if (first == null) {
                    body.tick(nowMs());
                    continue;
                }
                body.beginBatch();
                first.run();
                for (int i = 1; i < BATCH_MAX; i++) {
                    Runnable next = tasks.poll();
                    if (next == null) {
                        break;
                    }
                    next.run();
                }
                body.endBatch();
                if (body.wakeAtMs() <= nowMs()) {
                    body.tick(nowMs());
                }
            }
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        } catch (Throwable failure) {
            LOG.error("node loop stopped: {}", failure.toString(), failure);
            body.failed(failure);
        }
    }

    /** Stops the loop after the task it is running; waits for it. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        tasks.add(() -> { });
        if (Thread.currentThread() != thread) {
            thread.join(10_000);
        }
    }
}
