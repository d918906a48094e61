package io.synod.bench.load;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What one {@code synod bench} run does: {@code clients} keep-alive HTTP/1.1 connections, each with one request in
 * flight at a time (closed loop), on {@code threads} event-loop threads, for {@code warmup} and then {@code duration}
 * (only the latter is measured). Each request picks a key {@code k0..k(keys-1)} at random and is a read
 * ({@code GET /v1/kv/{key}?consistency=...}) with probability {@code readRatio}, else a write ({@code PUT} of
 * {@code valueSize} bytes).
 *
 * <p>The constructor checks every field and throws {@link IllegalArgumentException} with one sentence naming the
 * flag, so a command line can report it as a usage error.
 *
 * @param endpoints the nodes' HTTP base URLs ({@code http://host:port}); the master is found through their status
 * @param spread true: connection i goes to endpoint i mod n; false: every connection goes to the master
 * @param preload write every key once before the run (so reads find them)
 * @param timeout how long a request may wait for its answer before it counts as {@code TIMEOUT}
 * @param access TLS trust, client certificate and token ({@link Access#NONE}: plain HTTP, no token)
 */
public record LoadSpec(List<URI> endpoints, int clients, int threads, Duration duration, Duration warmup,
        int valueSize, double readRatio, Consistency consistency, int keys, boolean spread, boolean preload,
        Duration timeout, Access access) {
    /** The largest value the server takes by default (DESIGN.md §1: value ≤ 1 MiB). */
    public static final int MAX_VALUE_SIZE = 1 << 20;
    /** Bounds that keep a typo from opening a million sockets. */
    public static final int MAX_CLIENTS = 10_000;
    public static final int MAX_THREADS = 256;
    public static final int MAX_KEYS = 100_000_000;

    /** The read consistencies of the HTTP API ({@code ?consistency=}). */
    public enum Consistency {
        LINEARIZABLE, QUORUM, STALE;

        /** The query parameter's value. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The consistency named {@code text} (as on the wire), or an exception that lists the names. */
        public static Consistency parse(String text) {
            for (Consistency consistency : values()) {
                if (consistency.wire().equals(text)) {
                    return consistency;
                }
            }
            throw new IllegalArgumentException("--consistency must be linearizable, quorum or stale, not '" + text
                    + "'");
        }
    }

    /** A spec over plain HTTP without a token. */
    public LoadSpec(List<URI> endpoints, int clients, int threads, Duration duration, Duration warmup,
            int valueSize, double readRatio, Consistency consistency, int keys, boolean spread, boolean preload,
            Duration timeout) {
        this(endpoints, clients, threads, duration, warmup, valueSize, readRatio, consistency, keys, spread, preload,
                timeout, Access.NONE);
    }

    public LoadSpec {
        access = access == null ? Access.NONE : access;
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("--endpoints needs at least one URL");
        }
        for (URI endpoint : endpoints) {
            if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())) || endpoint.getHost() == null || endpoint.getPort() < 1
                    || !(endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty()
                            || endpoint.getRawPath().equals("/"))
                    || endpoint.getRawQuery() != null) {
                throw new IllegalArgumentException("--endpoints: '" + endpoint
                        + "' is not of the form http://HOST:PORT or https://HOST:PORT");
            }
        }
        requireRange("--clients", clients, 1, MAX_CLIENTS);
        requireRange("--threads", threads, 1, MAX_THREADS);
        if (threads > clients) {
            throw new IllegalArgumentException("--threads (" + threads + ") must not exceed --clients (" + clients
                    + ")");
        }
        requirePositive("--duration", duration, false);
        requirePositive("--warmup", warmup, true);
        requirePositive("--timeout", timeout, false);
        requireRange("--value-size", valueSize, 0, MAX_VALUE_SIZE);
        if (!(readRatio >= 0 && readRatio <= 1)) {
            throw new IllegalArgumentException("--read-ratio must be from 0 to 1, not " + readRatio);
        }
        if (consistency == null) {
            throw new IllegalArgumentException("--consistency is missing");
        }
        requireRange("--keys", keys, 1, MAX_KEYS);
    }

    private static void requireRange(String flag, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(flag + " must be from " + min + " to " + max + ", not " + value);
        }
    }

    private static void requirePositive(String flag, Duration value, boolean zeroAllowed) {
        if (value == null || value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw new IllegalArgumentException(flag + " must be " + (zeroAllowed ? "0 or more" : "more than 0")
                    + " seconds, not " + (value == null ? "nothing" : value.toNanos() / 1e9));
        }
    }
}
