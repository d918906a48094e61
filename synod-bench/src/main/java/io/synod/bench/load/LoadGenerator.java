package io.synod.bench.load;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The load generator behind {@code synod bench}, shaped like wrk: {@link LoadSpec#clients()} keep-alive connections,
 * each closed-loop with one request in flight, multiplexed on {@link LoadSpec#threads()} Netty NIO event-loop threads.
 * It finds its targets ({@link Targets}), optionally writes every key once (the preload), runs the warmup, then
 * measures for the duration, printing a progress line on {@code progress} once a second (ops/s so far, the p99 of
 * the last second, the errors of the last second), and returns the {@link LoadReport}.
 *
 * <p>The calling thread is the reader of the latency recorders; the event loops do all the I/O. Every connection and
 * thread the run makes is closed before {@link #run} returns.
 */
public final class LoadGenerator {
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often each event loop looks for requests past their timeout. */
    private static final long TIMEOUT_SCAN_MS = 50;

    private final LoadSpec spec;
    private final PrintWriter progress;
    private final LoadRun run;

    private LoadGenerator(LoadSpec spec, PrintWriter progress) {
        this.spec = spec;
        this.progress = progress;
        this.run = new LoadRun(spec);
    }

    /**
     * Runs {@code spec} to its end and returns what it measured.
     *
     * @throws IllegalStateException when no target can be found, or the preload makes no progress
     */
    public static LoadReport run(LoadSpec spec, PrintWriter progress) throws InterruptedException {
        return new LoadGenerator(spec, progress).run();
    }

    private LoadReport run() throws InterruptedException {
        List<URI> targets = Targets.resolve(spec, Targets.MASTER_WAIT);
        List<RequestEncoder> encoders = targets.stream()
                .map(target -> new RequestEncoder(target, spec.valueSize(), spec.consistency(), spec.access()))
                .toList();
        boolean https = targets.stream().anyMatch(target -> "https".equals(target.getScheme()));
        io.netty.handler.ssl.SslContext tls = https ? spec.access().sslContext() : null;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(spec.threads(),
                new DefaultThreadFactory("synod-bench", true), NioIoHandler.newFactory());
        List<Connection> connections = new ArrayList<>(spec.clients());
        try {
            List<EventLoop> loops = new ArrayList<>();
            for (EventExecutor executor : group) {
                loops.add((EventLoop) executor);
            }
            for (int i = 0; i < spec.clients(); i++) {
                URI target = targets.get(i % targets.size());
                connections.add(new Connection(run, loops.get(i % loops.size()),
                        new InetSocketAddress(target.getHost(), target.getPort()), encoders.get(i % targets.size()),
                        "https".equals(target.getScheme()) ? tls : null));
            }
            for (EventLoop loop : loops) {
                List<Connection> mine = connections.stream().filter(connection -> connection.loop() == loop).toList();
                loop.scheduleAtFixedRate(() -> {
                    long now = System.nanoTime();
                    mine.forEach(connection -> connection.checkTimeout(now));
                }, TIMEOUT_SCAN_MS, TIMEOUT_SCAN_MS, TimeUnit.MILLISECONDS);
            }
            connections.forEach(connection -> connection.loop().execute(connection::connect));
            if (spec.preload()) {
                awaitPreload();
                run.phase(LoadRun.Phase.LOAD);
                connections.forEach(connection -> connection.loop().execute(connection::resume));
            }
            return measure(targets);
        } finally {
            run.phase(LoadRun.Phase.STOPPED);
            connections.forEach(connection -> connection.loop().execute(connection::close));
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    /** Waits for the preload's last answer; gives up when none came for twice the request timeout. */
    private void awaitPreload() throws InterruptedException {
        long started = System.nanoTime();
        int lastKey = -1;
        long lastProgress = System.nanoTime();
        while (!run.preloadDone().await(1, TimeUnit.SECONDS)) {
            int key = run.preloadAnsweredCount();
            if (key != lastKey) {
                lastKey = key;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > 2 * spec.timeout().toNanos()) {
                throw new IllegalStateException("the preload made no progress for " + 2 * spec.timeout().toSeconds()
                        + " s (" + key + " of " + spec.keys() + " keys); is the cluster serving writes?");
            }
            progress.printf(Locale.ROOT, "preload: %d of %d keys%n", key, spec.keys()).flush();
        }
        progress.printf(Locale.ROOT, "preloaded %d keys in %.1f s (%d failed)%n", spec.keys(),
                (System.nanoTime() - started) / 1e9, run.preloadFailed()).flush();
    }

    /** The warmup and the measurement, on this thread: ticks at every whole second and at both ends. */
    private LoadReport measure(List<URI> targets) throws InterruptedException {
        LoadStats stats = run.stats();
        long start = System.nanoTime();
        // The measurement runs from when it really started to when it really ended: a tick this thread was late for
        // (a busy machine) moves the end along instead of shortening the measurement.
        long measureStart = start + spec.warmup().toNanos();
        long end = Long.MAX_VALUE;
        Histogram reads = LoadStats.histogram();
        Histogram writes = LoadStats.histogram();
        Histogram lastSecond = LoadStats.histogram();
        Histogram readInterval = null;
        Histogram writeInterval = null;
        long nextSecond = start + SECOND_NANOS;
        boolean measuring = false;
        if (spec.warmup().isZero()) {
            readInterval = stats.interval(true, null);
            writeInterval = stats.interval(false, null);
            stats.startMeasuring();
            measuring = true;
            end = start + spec.duration().toNanos();
        }
        while (true) {
            long tick = Math.min(nextSecond, measuring ? end : measureStart);
            sleepUntil(tick);
            long now = System.nanoTime();
            readInterval = stats.interval(true, readInterval);
            writeInterval = stats.interval(false, writeInterval);
            lastSecond.add(readInterval);
            lastSecond.add(writeInterval);
            if (measuring) {
                reads.add(readInterval);
                writes.add(writeInterval);
            }
            if (tick == nextSecond) {
                printProgress(now - start, measuring ? reads.getTotalCount() + writes.getTotalCount() : -1,
                        now - measureStart, lastSecond, stats.takeRecentErrors());
                lastSecond.reset();
                while (nextSecond <= now) {
                    nextSecond += SECOND_NANOS;
                }
            }
            if (!measuring && tick == measureStart) {
                measuring = true;
                stats.startMeasuring();
                measureStart = now;
                end = now + spec.duration().toNanos();
            } else if (measuring && tick == end) {
                run.phase(LoadRun.Phase.STOPPED);
                end = now;
                break;
            }
        }
        double seconds = (end - measureStart) / 1e9;
        long notFound = stats.notFound();
        Histogram total = LoadStats.histogram();
        total.add(reads);
        total.add(writes);
        return new LoadReport(spec, targets, seconds, LoadReport.OpStats.of(reads, notFound, seconds),
                LoadReport.OpStats.of(writes, 0, seconds), LoadReport.OpStats.of(total, notFound, seconds),
                stats.errors(), spec.preload() ? spec.keys() : 0, run.preloadFailed());
    }

    private void printProgress(long sinceStartNanos, long measuredOps, long measuredNanos, Histogram lastSecond,
            long errors) {
        String rate = measuredOps < 0 ? String.format(Locale.ROOT, "warmup, %d ops/s", lastSecond.getTotalCount())
                : String.format(Locale.ROOT, "%.0f ops/s so far", measuredOps / (measuredNanos / 1e9));
        progress.printf(Locale.ROOT, "[%3ds] %s, p99 %.2f ms (last second), errors %d%n",
                sinceStartNanos / SECOND_NANOS, rate, lastSecond.getValueAtPercentile(99) / 1000.0, errors).flush();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
