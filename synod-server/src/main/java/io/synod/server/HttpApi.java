package io.synod.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.synod.replica.kv.KvRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The HTTP API of DESIGN.md §1 on Netty: parses and validates a request on the I/O thread, hands it to the node's loop,
 * and writes the answer — or 504 if the loop does not answer in time. One request at a time per connection
 * (keep-alive, no pipelining): the connection reads the next request only after answering the last.
 */
final class HttpApi extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ServerConfig config;
    private final NodeLoop loop;
    private final KvApi api;
    private final Metrics metrics;
    private final String dashboard;
    private final Forwarder forwarder;
    /** The tokens in force, or a supplier of null when the node runs without {@code --auth-tokens-file}. */
    private final Supplier<AuthTokens> tokens;

    HttpApi(ServerConfig config, NodeLoop loop, KvApi api, Metrics metrics, String dashboard, Forwarder forwarder,
            Supplier<AuthTokens> tokens) {
        this.tokens = tokens;
        this.forwarder = forwarder;
        this.config = config;
        this.loop = loop;
        this.api = api;
        this.metrics = metrics;
        this.dashboard = dashboard;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
        long started = System.nanoTime();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        context.channel().config().setAutoRead(false);
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String route = request.decoderResult().isFailure() ? "bad-request" : routeOf(uri.rawPath());
        String method = request.decoderResult().isFailure() ? "other" : methodOf(request.method());
        Consumer<Response> reply = response -> {
            metrics.http(method, route, response.status(), System.nanoTime() - started);
            write(context, response, keepAlive && !request.decoderResult().isFailure());
        };
        try {
            if (request.decoderResult().isFailure()) {
                throw undecodable(request.decoderResult().cause());
            }
            authorize(request);
            dispatch(context, request, uri, reply);
        } catch (ApiException refused) {
            reply.accept(Response.of(refused));
        }
    }

    /**
     * With {@code --auth-tokens-file}, a request needs a bearer token whose role allows it: GET and HEAD need
     * {@code read}, every other method {@code write}. The token is never put in an answer or a log line.
     *
     * @throws ApiException 401 without a listed token, 403 with one whose role is too weak
     */
    private void authorize(FullHttpRequest request) {
        AuthTokens current = tokens.get();
        if (current == null) {
            return;
        }
        AuthTokens.Role role = current.roleOfHeader(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (role == null) {
            throw new ApiException(401, "UNAUTHENTICATED", "this node needs 'Authorization: Bearer TOKEN' with a "
                    + "token from its --auth-tokens-file").withHeader("WWW-Authenticate", "Bearer realm=\"synod\"");
        }
        HttpMethod method = request.method();
        AuthTokens.Role needed = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)
                ? AuthTokens.Role.READ : AuthTokens.Role.WRITE;
        if (!role.includes(needed)) {
            throw new ApiException(403, "FORBIDDEN", "a " + role.label() + " token cannot " + method
                    + "; that needs the " + needed.label() + " role");
        }
    }

    /** A request Netty could not decode: say why, in the API's shape (then the connection closes). */
    private static ApiException undecodable(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new ApiException(414, "URI_TOO_LONG", "the request line is longer than 64 KiB");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new ApiException(431, "HEADERS_TOO_LARGE", "the request headers are larger than 16 KiB");
        }
        return new ApiException(400, "BAD_REQUEST", "the request is not valid HTTP/1.1");
    }

    private void dispatch(ChannelHandlerContext context, FullHttpRequest request, QueryStringDecoder uri,
            Consumer<Response> reply) {
        String path = uri.rawPath();
        HttpMethod method = request.method();
        if (path.equals("/")) {
            requireMethod(method, HttpMethod.GET);
            reply.accept(Response.text(200, "text/html; charset=utf-8", dashboard));
        } else if (path.equals("/metrics")) {
            requireMethod(method, HttpMethod.GET);
            reply.accept(Response.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        } else if (path.equals("/v1/status")) {
            requireMethod(method, HttpMethod.GET);
            toLoop(context, false, respond -> respond.accept(api.status()), reply);
        } else if (path.equals("/v1/kv")) {
            requireMethod(method, HttpMethod.GET);
            byte[] prefix = percentDecode(rawParam(request.uri(), "prefix", ""), "prefix");
            int limit = (int) number(param(uri, "limit", "1000"), "limit", 1, 10_000);
            KvRequest list = new KvRequest.ListPrefix(prefix, limit, consistency(uri), minSlot(uri));
            serve(context, request, list, reply);
        } else if (path.startsWith("/v1/kv/")) {
            serve(context, request, keyRequest(request, uri, path.substring("/v1/kv/".length())), reply);
        } else if (path.startsWith("/v1/log/")) {
            requireMethod(method, HttpMethod.GET);
            long slot = number(path.substring("/v1/log/".length()), "slot", 0, Long.MAX_VALUE);
            toLoop(context, false, respond -> respond.accept(api.logEntry(slot)), reply);
        } else {
            throw new ApiException(404, "NOT_FOUND", "no such path: " + path);
        }
    }

    private KvRequest keyRequest(FullHttpRequest request, QueryStringDecoder uri, String rawKey) {
        byte[] key = key(rawKey);
        HttpMethod method = request.method();
        if (method.equals(HttpMethod.GET)) {
            return new KvRequest.Get(key, consistency(uri), minSlot(uri));
        }
        if (method.equals(HttpMethod.PUT)) {
            byte[] value = ByteBufUtil.getBytes(request.content());
            if (value.length > config.maxValueBytes()) {
                throw new ApiException(413, "VALUE_TOO_LARGE", "the value is " + value.length
                        + " bytes; the limit is " + config.maxValueBytes());
            }
            String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
            if (ifNoneMatch != null && !ifNoneMatch.trim().equals("*")) {
                throw new ApiException(400, "BAD_IF_NONE_MATCH", "If-None-Match supports only *");
            }
            Long ifMatch = ifMatch(request);
            if (ifMatch != null && ifNoneMatch != null) {
                throw new ApiException(400, "BAD_CONDITION", "If-Match and If-None-Match cannot be combined");
            }
            KvRequest.Condition condition = ifMatch != null ? new KvRequest.Condition.IfMatch(ifMatch)
                    : ifNoneMatch != null ? KvRequest.Condition.IF_ABSENT : KvRequest.Condition.NONE;
            return new KvRequest.Put(key, value, condition, idempotencyKey(request));
        }
        if (method.equals(HttpMethod.DELETE)) {
            if (request.headers().contains(HttpHeaderNames.IF_NONE_MATCH)) {
                throw new ApiException(400, "BAD_CONDITION", "If-None-Match makes no sense on a DELETE");
            }
            Long ifMatch = ifMatch(request);
            KvRequest.Condition condition = ifMatch == null ? KvRequest.Condition.NONE
                    : new KvRequest.Condition.IfMatch(ifMatch);
            return new KvRequest.Delete(key, condition, idempotencyKey(request));
        }
        throw new ApiException(405, "METHOD_NOT_ALLOWED", method + " is not allowed on /v1/kv/{key}")
                .allowing("GET, PUT, DELETE");
    }

    /**
     * A key-value request: handed to the master if another node is master and the request must be ordered (a write,
     * a linearizable or quorum read), else answered here — and handed to the master after all if this node turns out
     * not to be allowed to propose ({@code NO_MASTER}). Stale reads stay here; so do reads that wait for a
     * {@code min-slot} (they wait here first). A request another node forwarded is always answered here.
     */
    private void serve(ChannelHandlerContext context, FullHttpRequest request, KvRequest kv,
            Consumer<Response> reply) {
        boolean write = kv instanceof KvRequest.Put || kv instanceof KvRequest.Delete;
        boolean ordered = write || consistencyOf(kv) != KvRequest.Consistency.STALE;
        if (!ordered || !config.hasMaster() || Forwarder.wasForwarded(request)) {
            toLoop(context, write, respond -> api.handle(kv, respond), reply);
            return;
        }
        Forwarder.Captured captured = Forwarder.capture(request);
        int master = forwarder.masterElsewhere();
        // A node that can see it cannot reach a majority has no current view of the master: it refuses at once
        // (NO_QUORUM, from the service) rather than hand the request to a master that may be gone.
        if (master >= 0 && minSlotOf(kv) == null && forwarder.majorityReachable()) {
            forwarder.route(master, captured, write, reply);
            return;
        }
        toLoop(context, write, respond -> api.handle(kv, respond), response -> {
            if (!response.isNoMaster()) {
                reply.accept(response);
                return;
            }
            int now = forwarder.masterElsewhere();
            if (now >= 0) {
                forwarder.route(now, captured, write, reply);
            } else {
                reply.accept(Forwarder.noMaster("no master is known to this node"));
            }
        });
    }

    private static KvRequest.Consistency consistencyOf(KvRequest request) {
        return switch (request) {
            case KvRequest.Get get -> get.consistency();
            case KvRequest.ListPrefix list -> list.consistency();
            case KvRequest.Put put -> KvRequest.Consistency.LINEARIZABLE;
            case KvRequest.Delete delete -> KvRequest.Consistency.LINEARIZABLE;
        };
    }

    private static Long minSlotOf(KvRequest request) {
        return switch (request) {
            case KvRequest.Get get -> get.minSlot();
            case KvRequest.ListPrefix list -> list.minSlot();
            case KvRequest.Put put -> null;
            case KvRequest.Delete delete -> null;
        };
    }

    /**
     * Hands work to the loop; answers 503 if the loop is overloaded. The service answers a request that takes too
     * long itself, on the loop; should the loop not answer at all (it is stuck), this answers 504 a second later.
     */
    private void toLoop(ChannelHandlerContext context, boolean isWrite, Consumer<Consumer<Response>> work,
            Consumer<Response> reply) {
        Once once = new Once(reply);
        if (!loop.offer(() -> work.accept(once))) {
            once.accept(Response.error(503, "OVERLOADED", "the node is overloaded; nothing was done, retry shortly")
                    .withHeader("Retry-After", "1"));
            return;
        }
        long backstopMs = config.requestTimeoutMs() + LOOP_GRACE_MS;
        once.guardedBy(context.executor().schedule(() -> once.accept(isWrite
                ? Response.error(504, "TIMEOUT", "no answer within " + backstopMs
                        + " ms; the write may still be applied: read the key to find out")
                : Response.error(504, "TIMEOUT", "no answer within " + backstopMs + " ms")),
                backstopMs, TimeUnit.MILLISECONDS));
    }

    /**
     * A request's answer, given once: the first of the loop's answer and the backstop's 504 wins. The answer cancels
     * the backstop, so a node serving thousands of requests a second does not keep one scheduled task (and the
     * request's connection and closures) per request alive for the whole timeout.
     */
    static final class Once implements Consumer<Response> {
        private final Consumer<Response> reply;
        private final AtomicBoolean answered = new AtomicBoolean();
        private volatile ScheduledFuture<?> backstop;

        Once(Consumer<Response> reply) {
            this.reply = reply;
        }

        void guardedBy(ScheduledFuture<?> scheduled) {
            backstop = scheduled;
            if (answered.get()) {
                scheduled.cancel(false); // answered before the backstop was set
            }
        }

        @Override
        public void accept(Response response) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> scheduled = backstop;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            reply.accept(response);
        }
    }

    /** How much longer than the request timeout the HTTP layer waits for the loop before answering 504 itself. */
    static final long LOOP_GRACE_MS = 1_000;

    // ----- parsing -----

    private static void requireMethod(HttpMethod actual, HttpMethod allowed) {
        if (!actual.equals(allowed)) {
            throw new ApiException(405, "METHOD_NOT_ALLOWED", actual + " is not allowed here; use " + allowed)
                    .allowing(allowed.name());
        }
    }

    private byte[] key(String raw) {
        byte[] key = percentDecode(raw, "key");
        if (key.length == 0) {
            throw new ApiException(400, "BAD_KEY", "the key is empty");
        }
        if (KvApi.utf8(key) == null) {
            throw new ApiException(400, "BAD_KEY", "the key is not valid UTF-8");
        }
        if (key.length > config.maxKeyBytes()) {
            throw new ApiException(413, "KEY_TOO_LARGE", "the key is " + key.length + " bytes; the limit is "
                    + config.maxKeyBytes());
        }
        return key;
    }

    /** Decodes %XX escapes into bytes; other characters are taken as their UTF-8 bytes. */
    static byte[] percentDecode(String text, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    throw new ApiException(400, "BAD_" + what.toUpperCase(Locale.ROOT),
                            "the " + what + " has a broken %-escape");
                }
                bytes.write(Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return bytes.toByteArray();
    }

    private static Long ifMatch(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.IF_MATCH);
        if (header == null) {
            return null;
        }
        String trimmed = header.trim();
        if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        try {
            long version = Long.parseLong(trimmed);
            if (version < 0) {
                throw new NumberFormatException();
            }
            return version;
        } catch (NumberFormatException bad) {
            throw new ApiException(400, "BAD_IF_MATCH", "If-Match must be a version in quotes, like \"42\"");
        }
    }

    private static String idempotencyKey(FullHttpRequest request) {
        String key = request.headers().get("Idempotency-Key");
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > 256) {
            throw new ApiException(400, "BAD_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 256 bytes");
        }
        return key;
    }

    private static KvRequest.Consistency consistency(QueryStringDecoder uri) {
        String value = param(uri, "consistency", "linearizable");
        return switch (value) {
            case "linearizable" -> KvRequest.Consistency.LINEARIZABLE;
            case "quorum" -> KvRequest.Consistency.QUORUM;
            case "stale" -> KvRequest.Consistency.STALE;
            default -> throw new ApiException(400, "BAD_CONSISTENCY",
                    "consistency must be linearizable, quorum or stale");
        };
    }

    private static Long minSlot(QueryStringDecoder uri) {
        String value = param(uri, "min-slot", null);
        return value == null ? null : number(value, "min-slot", 0, Long.MAX_VALUE);
    }

    /**
     * A query parameter as it appears in the URI, still %-encoded, so that bytes which are not UTF-8 survive until
     * {@link #percentDecode} turns them into bytes.
     */
    static String rawParam(String uri, String name, String fallback) {
        int question = uri.indexOf('?');
        if (question < 0) {
            return fallback;
        }
        for (String pair : uri.substring(question + 1).split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (key.equals(name)) {
                return equals < 0 ? "" : pair.substring(equals + 1);
            }
        }
        return fallback;
    }

    private static String param(QueryStringDecoder uri, String name, String fallback) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    private static long number(String text, String what, long min, long max) {
        try {
            long value = Long.parseLong(text);
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException bad) {
            throw new ApiException(400, "BAD_" + what.toUpperCase(Locale.ROOT).replace('-', '_'),
                    what + " must be a whole number from " + min + (max == Long.MAX_VALUE ? " up" : " to " + max));
        }
    }

    /** The method for metrics: the API's methods by name, anything else as "other" (labels stay few). */
    static String methodOf(HttpMethod method) {
        String name = method.name();
        return switch (name) {
            case "GET", "PUT", "DELETE", "POST", "HEAD", "OPTIONS" -> name;
            default -> "other";
        };
    }

    /** The route template for metrics: keys and slots are not labels. */
    static String routeOf(String path) {
        if (path.startsWith("/v1/kv/")) {
            return "/v1/kv/{key}";
        }
        if (path.startsWith("/v1/log/")) {
            return "/v1/log/{slot}";
        }
        return switch (path) {
            case "/", "/metrics", "/v1/status", "/v1/kv" -> path;
            default -> "other";
        };
    }

    // ----- writing -----

    static void write(ChannelHandlerContext context, Response response, boolean keepAlive) {
        FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(response.body()));
        http.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        http.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        http.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            if (!header.getValue().isEmpty()) {
                http.headers().set(header.getKey(), header.getValue());
            }
        }
        if (keepAlive) {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            // Turning auto-read back on asks for the next read once: the FlowControlHandler then hands on the next
            // request if one is waiting. (A second read() here would hand on two.)
            context.writeAndFlush(http).addListener((ChannelFutureListener) done ->
                    done.channel().config().setAutoRead(true));
        } else {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            context.writeAndFlush(http).addListener(HttpGuards.CLOSE_AFTER_ANSWER);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        context.close();
    }
}
