package io.synod.server;

/**
 * The bounds the HTTP API puts on its clients (see {@link HttpGuards}). Header and body sizes are bounded elsewhere:
 * the request line by 64 KiB ({@code 414}), the headers by 16 KiB ({@code 431}), the body by
 * {@link ServerConfig#maxValueBytes} ({@code 413}).
 *
 * @param maxConnections HTTP connections open at once; one more hears {@code 503 TOO_MANY_CONNECTIONS}
 * @param requestTimeMs from the first byte of a request (or the connection's opening, TLS handshake included) to its
 *     last; slower hears {@code 408 REQUEST_TIMEOUT} and is closed
 * @param idleTimeoutMs how long a keep-alive connection may wait with no request begun before it is closed
 */
public record HttpLimits(int maxConnections, long requestTimeMs, long idleTimeoutMs) {
    /** 1,024 connections, 10 s per request, 60 s idle. */
    public static final HttpLimits DEFAULT = new HttpLimits(1_024, 10_000, 60_000);

    /** @throws IllegalArgumentException if a bound is below 1 */
    public HttpLimits {
        if (maxConnections < 1 || requestTimeMs < 1 || idleTimeoutMs < 1) {
            throw new IllegalArgumentException("HTTP limits must be at least 1");
        }
    }
}
