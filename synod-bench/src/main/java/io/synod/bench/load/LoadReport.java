package io.synod.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The result of one {@code synod bench} run, measured after the warmup: per op type (and in total) how many requests
 * were answered, at what rate, and their latency percentiles in microseconds; the reads answered 404 (a key not
 * there: answered, not an error); and the failed requests by error code. Printable as text ({@link #text()}) and as
 * one JSON object ({@link #json()}).
 *
 * @param spec what was run
 * @param targets where the connections went (the master, or every endpoint with {@code --spread})
 * @param seconds how long the measurement lasted
 * @param preloaded keys written before the run (0 without preload); {@code preloadFailed} of them failed
 */
public record LoadReport(LoadSpec spec, List<URI> targets, double seconds, OpStats reads, OpStats writes,
        OpStats total, Map<String, Long> errors, long preloaded, long preloadFailed) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public LoadReport {
        targets = List.copyOf(targets);
        errors = Map.copyOf(errors);
    }

    /**
     * One op type's figures.
     *
     * @param ops requests answered (2xx, and 404 for reads)
     * @param notFound how many of {@code ops} were reads answered 404
     */
    public record OpStats(long ops, double opsPerSecond, long notFound, long p50Us, long p90Us, long p99Us,
            long p999Us, long maxUs, double meanUs) {
        /** The figures of {@code histogram} (microseconds) over {@code seconds}. */
        public static OpStats of(Histogram histogram, long notFound, double seconds) {
            long ops = histogram.getTotalCount();
            if (ops == 0) {
                return new OpStats(0, 0, notFound, 0, 0, 0, 0, 0, 0);
            }
            return new OpStats(ops, ops / seconds, notFound, histogram.getValueAtPercentile(50),
                    histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99),
                    histogram.getValueAtPercentile(99.9), histogram.getMaxValue(), histogram.getMean());
        }
    }

    /** Failed requests, all codes together. */
    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether every request failed (or none was answered at all): the run's exit code is then 1. */
    public boolean allFailed() {
        return total.ops() == 0;
    }

    /** A few lines for people. */
    public String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "synod bench: %d clients on %d thread%s, %.1f s measured after %.1f s "
                + "warmup, %d-byte values, %d keys, read ratio %.2f (%s)%n", spec.clients(), spec.threads(),
                spec.threads() == 1 ? "" : "s", seconds, spec.warmup().toMillis() / 1000.0, spec.valueSize(),
                spec.keys(), spec.readRatio(), spec.consistency().wire()));
        out.append("target").append(targets.size() == 1 ? " " : "s (round-robin per connection) ")
                .append(String.join(", ", targets.stream().map(URI::toString).toList()))
                .append(spec.spread() ? "" : " (master)").append(System.lineSeparator());
        if (preloaded > 0) {
            out.append(String.format(Locale.ROOT, "preloaded %d keys (%d failed)%n", preloaded, preloadFailed));
        }
        out.append(String.format(Locale.ROOT, "%-6s %10s %11s %9s %9s %9s %9s %9s%n", "op", "ops", "ops/s",
                "p50 us", "p90 us", "p99 us", "p99.9 us", "max us"));
        row(out, "read", reads);
        row(out, "write", writes);
        row(out, "total", total);
        if (reads.notFound() > 0) {
            out.append(String.format(Locale.ROOT, "reads answered 404 (key not there): %d%n", reads.notFound()));
        }
        if (errors.isEmpty()) {
            out.append("errors: none").append(System.lineSeparator());
        } else {
            out.append("errors: ").append(errorCount()).append(" (");
            new java.util.TreeMap<>(errors).forEach((code, count) -> out.append(code).append(' ').append(count)
                    .append(", "));
            out.setLength(out.length() - 2);
            out.append(')').append(System.lineSeparator());
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String name, OpStats stats) {
        out.append(String.format(Locale.ROOT, "%-6s %10d %11.1f %9d %9d %9d %9d %9d%n", name, stats.ops(),
                stats.opsPerSecond(), stats.p50Us(), stats.p90Us(), stats.p99Us(), stats.p999Us(), stats.maxUs()));
    }

    /** One JSON object (one line) with everything {@link #text()} shows. */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode config = root.putObject("config");
        ArrayNode endpoints = config.putArray("endpoints");
        spec.endpoints().forEach(endpoint -> endpoints.add(endpoint.toString()));
        config.put("clients", spec.clients()).put("threads", spec.threads())
                .put("durationS", spec.duration().toMillis() / 1000.0).put("warmupS", spec.warmup().toMillis() / 1000.0)
                .put("valueSize", spec.valueSize()).put("readRatio", spec.readRatio())
                .put("consistency", spec.consistency().wire()).put("keys", spec.keys()).put("spread", spec.spread())
                .put("preload", spec.preload()).put("timeoutS", spec.timeout().toMillis() / 1000.0);
        ArrayNode targetArray = root.putArray("targets");
        targets.forEach(target -> targetArray.add(target.toString()));
        root.put("seconds", seconds);
        root.putObject("preload").put("keys", preloaded).put("failed", preloadFailed);
        op(root.putObject("read"), reads);
        op(root.putObject("write"), writes);
        op(root.putObject("total"), total);
        ObjectNode errorNode = root.putObject("errors");
        errorNode.put("total", errorCount());
        ObjectNode byCode = errorNode.putObject("byCode");
        new java.util.TreeMap<>(errors).forEach(byCode::put);
        return root.toString();
    }

    private static void op(ObjectNode node, OpStats stats) {
        node.put("ops", stats.ops()).put("opsPerS", stats.opsPerSecond()).put("notFound", stats.notFound());
        node.putObject("latencyUs").put("p50", stats.p50Us()).put("p90", stats.p90Us()).put("p99", stats.p99Us())
                .put("p999", stats.p999Us()).put("max", stats.maxUs()).put("mean", stats.meanUs());
    }
}
