package io.synod.bench.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state one run's connections share: the spec, the {@link LoadStats}, the phase, and the preload's progress. Its
 * methods are safe from any thread.
 */
final class LoadRun {
    /** What the connections do: write each key once, then the measured load, then nothing. */
    enum Phase { PRELOAD, LOAD, STOPPED }

    private final LoadSpec spec;
    private final LoadStats stats = new LoadStats();
    private final AtomicInteger nextPreloadKey = new AtomicInteger();
    private final AtomicInteger preloadPending;
    private final LongAdder preloadFailed = new LongAdder();
    private final CountDownLatch preloadDone = new CountDownLatch(1);
    private volatile Phase phase;

    LoadRun(LoadSpec spec) {
        this.spec = spec;
        this.phase = spec.preload() ? Phase.PRELOAD : Phase.LOAD;
        this.preloadPending = new AtomicInteger(spec.preload() ? spec.keys() : 0);
        if (!spec.preload()) {
            preloadDone.countDown();
        }
    }

    LoadSpec spec() {
        return spec;
    }

    LoadStats stats() {
        return stats;
    }

    Phase phase() {
        return phase;
    }

    boolean stopped() {
        return phase == Phase.STOPPED;
    }

    void phase(Phase next) {
        phase = next;
    }

    /** The next key to preload, or -1 when every key has been handed out. */
    int nextPreloadKey() {
        int key = nextPreloadKey.getAndIncrement();
        return key < spec.keys() ? key : -1;
    }

    /** A preload write was answered (or failed); the last one ends the preload. */
    void preloadAnswered(boolean success) {
        if (!success) {
            preloadFailed.increment();
        }
        if (preloadPending.decrementAndGet() == 0) {
            preloadDone.countDown();
        }
    }

    /** How many preload writes have been answered (or failed) so far. */
    int preloadAnsweredCount() {
        return spec.keys() - Math.max(0, preloadPending.get());
    }

    CountDownLatch preloadDone() {
        return preloadDone;
    }

    long preloadFailed() {
        return preloadFailed.sum();
    }
}
