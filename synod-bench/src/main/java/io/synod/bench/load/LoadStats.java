package io.synod.bench.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the connections of one run record, from any event-loop thread: the latency of every answered request per op
 * type (HdrHistogram {@link Recorder}s in microseconds, read by one reader thread interval by interval), the reads
 * answered 404, and failed requests by {@link ErrorCodes error code}. The 404s and errors count only while
 * {@link #measuring()}; the latencies are split into warmup and measurement by the reader, which takes an interval
 * at the end of the warmup.
 */
final class LoadStats {
    /** Latencies above an hour are recorded as an hour (a request never waits that long: the timeout ends it). */
    static final long HIGHEST_US = TimeUnit.HOURS.toMicros(1);
    static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder reads = new Recorder(HIGHEST_US, SIGNIFICANT_DIGITS);
    private final Recorder writes = new Recorder(HIGHEST_US, SIGNIFICANT_DIGITS);
    private final LongAdder notFound = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder recentErrors = new LongAdder();
    private volatile boolean measuring;

    /** An answered request (a 2xx, or a 404 to a read) that took {@code latencyNanos}. */
    void answered(boolean read, long latencyNanos, boolean wasNotFound) {
        long latencyUs = Math.min(HIGHEST_US, Math.max(0, latencyNanos / 1_000));
        (read ? reads : writes).recordValue(latencyUs);
        if (wasNotFound && measuring) {
            notFound.increment();
        }
    }

    /** A failed request, named by {@link ErrorCodes}. */
    void failed(String code) {
        recentErrors.increment();
        if (measuring) {
            errors.computeIfAbsent(code, name -> new LongAdder()).increment();
        }
    }

    boolean measuring() {
        return measuring;
    }

    /** From now on 404s and errors count (the warmup is over). */
    void startMeasuring() {
        measuring = true;
    }

    /** The reads (or writes) answered since the previous call for that op type (for the reader thread only). */
    Histogram interval(boolean read, Histogram recycle) {
        return (read ? reads : writes).getIntervalHistogram(recycle);
    }

    /** Errors (warmup included) since the previous call. */
    long takeRecentErrors() {
        return recentErrors.sumThenReset();
    }

    long notFound() {
        return notFound.sum();
    }

    /** The errors counted while measuring, by code, sorted by code. */
    Map<String, Long> errors() {
        Map<String, Long> sorted = new TreeMap<>();
        errors.forEach((code, count) -> sorted.put(code, count.sum()));
        return sorted;
    }

    /** A new empty histogram of the recorders' shape. */
    static Histogram histogram() {
        return new Histogram(HIGHEST_US, SIGNIFICANT_DIGITS);
    }
}
