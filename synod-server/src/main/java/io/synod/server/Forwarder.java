package io.synod.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.ssl.JdkSslContext;
import io.synod.core.NodeStatus;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node that is not master does with a write or an ordered read (DESIGN.md §1): forwards it to the master's HTTP
 * API and relays the master's answer with {@code X-Synod-Master}, or, with {@code --no-forward}, answers {@code 307}
 * with the master's URL. A forwarded request carries {@link #MARKER}, and a node never forwards a request that carries
 * it, so a request crosses at most one hop however the nodes' views of the master disagree.
 *
 * <p>Which node is master comes from the status the loop last published, so deciding never waits for the loop. The
 * requests go out on the JDK {@link HttpClient} (keep-alive, bounded connect and request timeouts) on two threads of
 * its own; the caller's thread never blocks. What an answer that did not come means:
 * <ul>
 *   <li>the master could not be connected to (refused, or the connect timed out): nothing reached it, so
 *       {@code 503 NO_MASTER} with {@code Retry-After}, at once;</li>
 *   <li>the request went out and no answer came (timeout, broken connection): a write's outcome is unknown
 *       ({@code 504}); a read changed nothing ({@code 503 NO_MASTER}, or {@code 504} on a timeout).</li>
 * </ul>
 * Thread-safe.
 */
final class Forwarder implements AutoCloseable {
    /** Marks a forwarded request; its value is the forwarding node's id. */
    static final String MARKER = "X-Synod-Forwarded";
    /** Names the master on an answer it gave for this node (or that this node redirects to). */
    static final String MASTER_HEADER = "X-Synod-Master";

    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
    /** The request headers that carry meaning for the API: conditions, idempotency and the body's type. */
    private static final List<String> REQUEST_HEADERS = List.of("If-Match", "If-None-Match", "Idempotency-Key",
            "Content-Type", "Authorization");
    /** Headers of the master's answer that belong to its connection, not to the answer. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "transfer-encoding",
            "keep-alive", "content-type", "access-control-allow-origin", ":status", "date");
    private static final int IN_FLIGHT_MAX = 4_096;

    /** A request as the master should see it, copied off the Netty buffer (which is released after parsing). */
    record Captured(String method, String uri, Map<String, String> headers, byte[] body) {}

    private final ServerConfig config;
    private final Peers peers;
    private final Supplier<NodeStatus> published;
    private final ExecutorService executor;
    private final HttpClient client;
    private final Duration requestTimeout;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final BooleanSupplier majority;

    /**
     * @param published the node's status as of the loop's last batch (null before the first)
     * @param majority whether this node can reach a majority (any thread, never blocks)
     */
    Forwarder(ServerConfig config, Peers peers, Supplier<NodeStatus> published, BooleanSupplier majority) {
        this.majority = majority;
        this.config = config;
        this.peers = peers;
        this.published = published;
        this.executor = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon()
                .name("synod-forward-" + config.nodeId() + "-", 0).factory());
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofMillis(Math.min(1_000, config.requestTimeoutMs())));
        if (config.security().tls() != null) {
            // HTTPS to the master: trust the cluster CA, present this node's certificate, check the master's name.
            builder.sslContext(((JdkSslContext) config.security().tls().clientContext()).context());
        }
        this.client = builder.build();
        // The master answers a request it cannot finish within its own request timeout; this only guards the hop.
        this.requestTimeout = Duration.ofMillis(config.requestTimeoutMs() + HttpApi.LOOP_GRACE_MS);
    }

    /**
     * The master, if it is another node this node may hand requests to: the election has masters, the status names
     * one, and it is not this node. -1 otherwise (this node is master, or none is known, or {@code none} runs).
     */
    int masterElsewhere() {
        if (!config.hasMaster()) {
            return -1;
        }
        NodeStatus status = published.get();
        int master = status == null ? -1 : status.master();
        return master < 0 || master == config.nodeId() ? -1 : master;
    }

    /** Whether this node and the peers it heard from recently are a majority (false: it sees it cannot reach one). */
    boolean majorityReachable() {
        return majority.getAsBoolean();
    }

    /** Whether {@code request} was forwarded to this node by another (it must then be answered here). */
    static boolean wasForwarded(FullHttpRequest request) {
        return request.headers().contains(MARKER);
    }

    /** Copies what a forward needs; call on the I/O thread while the request's buffer is still live. */
    static Captured capture(FullHttpRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : REQUEST_HEADERS) {
            String value = request.headers().get(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        return new Captured(request.method().name(), request.uri(), headers,
                ByteBufUtil.getBytes(request.content()));
    }

    /**
     * Hands {@code request} to {@code master}: forwards it and relays the answer, or, with {@code --no-forward},
     * answers 307 to the master's URL. {@code reply} is called once, on this or a forwarder thread.
     */
    void route(int master, Captured request, boolean isWrite, Consumer<Response> reply) {
        String base = peers.httpUrl(master);
        if (base == null) {
            reply.accept(noMaster("node " + master + " is master but has not told this node its HTTP address yet"));
            return;
        }
        if (!config.forward()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("master", master);
            body.put("masterHttp", base);
            reply.accept(Response.json(307, body).withHeader("Location", base + request.uri())
                    .withHeader(MASTER_HEADER, Integer.toString(master)));
            return;
        }
        forward(master, base, request, isWrite, reply);
    }

    private void forward(int master, String base, Captured request, boolean isWrite, Consumer<Response> reply) {
        if (inFlight.incrementAndGet() > IN_FLIGHT_MAX) {
            inFlight.decrementAndGet();
            reply.accept(Response.error(503, "OVERLOADED", "too many requests wait for the master; nothing was "
                    + "done, retry shortly").withHeader("Retry-After", "1"));
            return;
        }
        HttpRequest.Builder http;
        try {
            http = HttpRequest.newBuilder(URI.create(base + request.uri())).timeout(requestTimeout)
                    .method(request.method(), request.body().length == 0 && !isWrite
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        } catch (IllegalArgumentException badUrl) {
            inFlight.decrementAndGet();
            reply.accept(noMaster("the master's HTTP address " + base + " is not usable: " + badUrl.getMessage()));
            return;
        }
        request.headers().forEach(http::header);
        http.header(MARKER, Integer.toString(config.nodeId()));
        String masterId = Integer.toString(master);
        try {
            client.sendAsync(http.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((answer, error) -> {
                inFlight.decrementAndGet();
                Response response = error == null ? relay(answer) : failure(master, base, error, isWrite);
                reply.accept(response.withHeader(MASTER_HEADER, masterId));
            });
        } catch (RuntimeException refused) {
            // The client is closed (the node is stopping): nothing went out.
            inFlight.decrementAndGet();
            reply.accept(noMaster("this node is stopping"));
        }
    }

    private static Response relay(HttpResponse<byte[]> answer) {
        Map<String, String> headers = new LinkedHashMap<>();
        answer.headers().map().forEach((name, values) -> {
            if (!values.isEmpty() && !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                headers.put(name, values.get(0));
            }
        });
        String type = answer.headers().firstValue("Content-Type").orElse("application/octet-stream");
        return new Response(answer.statusCode(), type, answer.body(), Map.copyOf(headers));
    }

    private static Response failure(int master, String base, Throwable error, boolean isWrite) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String where = "the master (node " + master + " at " + base + ")";
        if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
            return noMaster(where + " cannot be reached (" + cause.getClass().getSimpleName() + ")");
        }
        LOG.debug("forward to {} failed: {}", base, cause.toString());
        if (isWrite) {
            return Response.error(504, "TIMEOUT", "the write went to " + where + " and no answer came back ("
                    + describe(cause) + "): it may still be applied; read the key to find out");
        }
        if (cause instanceof HttpTimeoutException) {
            return Response.error(504, "TIMEOUT", where + " did not answer the read in time; nothing was changed");
        }
        return noMaster(where + " did not answer the read (" + describe(cause) + ")");
    }

    private static String describe(Throwable cause) {
        return cause instanceof IOException && cause.getMessage() != null ? cause.getMessage()
                : cause.getClass().getSimpleName();
    }

    /** {@code 503 NO_MASTER} with {@code Retry-After}: nothing was done, a retry is safe. */
    static Response noMaster(String why) {
        return Response.error(503, "NO_MASTER", why + "; nothing was done, retry shortly")
                .withHeader("Retry-After", "1");
    }

    /** Stops the client's threads; forwards in flight are answered by their timeouts or dropped with the node. */
    @Override
    public void close() {
        client.shutdownNow();
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
