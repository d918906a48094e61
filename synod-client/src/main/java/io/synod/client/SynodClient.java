package io.synod.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A client of a Synod cluster over its HTTP API (DESIGN.md §1).
 *
 * <p><b>Where requests go.</b> The client finds the master by asking every endpoint's {@code /v1/status}, and keeps
 * learning it from the {@code X-Synod-Master} header of answers and from {@code 307} redirects (nodes started with
 * {@code --no-forward}). Writes, linearizable and quorum reads, {@link #status()} and {@link #log} go to the master
 * while it is known, else to an endpoint (which forwards them); stale reads go to one endpoint, moving on when it
 * fails. After a connection error, a {@code 503 NO_MASTER} or a {@code 307} it looks for the master again.
 *
 * <p><b>Retries.</b> {@code 503} (after its {@code Retry-After}), {@code 504}, client-side timeouts and connection
 * errors are retried with exponential backoff and jitter, within the {@link Builder#retryBudget retry budget} and
 * {@link Builder#maxAttempts most attempts}; no other answer is retried. Every write carries an
 * {@code Idempotency-Key} (the caller's, or a random UUID made once per call) that every retry of it reuses, so a
 * retried write is applied at most once. A write whose attempts all ended without a definite answer fails with
 * {@link UnknownOutcomeException}: it may still be applied. Other failures are the {@link SynodException} subclasses.
 *
 * <p><b>Calls.</b> Every operation has a blocking form and an {@code ...Async} form returning a
 * {@link CompletableFuture} that completes exceptionally with a {@link SynodException} (wrapped in a
 * {@link java.util.concurrent.CompletionException} by the future's dependent stages, as usual). The blocking form
 * throws the {@link SynodException} itself; interrupted, it throws {@link UnknownOutcomeException} for a write and
 * {@link SynodException} with code {@code INTERRUPTED} otherwise (the request carries on in the background).
 * Keys are strings (sent as UTF-8, %-encoded); values are bytes, with {@code String} forms in UTF-8.
 *
 * <p><b>Security.</b> An {@code https://} endpoint is spoken to over TLS 1.3, trusting the CA given to
 * {@link Builder#trustCertificates} (else the JDK's default trust store) and checking that the node's certificate
 * names the endpoint's host; {@link Builder#clientCertificate} presents a client certificate. A TLS failure that
 * trying again cannot mend (an untrusted certificate, a certificate for another host, a refused handshake) fails the
 * call at once with code {@code TLS_FAILED}. With {@link Builder#token} every request carries
 * {@code Authorization: Bearer TOKEN}; a node that refuses it answers {@code 401} or {@code 403}, an
 * {@link AccessDeniedException}, never retried.
 *
 * <p>One {@link HttpClient} (HTTP/1.1, keep-alive connections reused across calls) per client. Thread-safe; close it
 * when done.
 */
public final class SynodClient implements AutoCloseable {
    private final List<URI> endpoints;
    private final HttpClient http;
    private final MasterTracker tracker;
    private final Dispatcher dispatcher;
    /** How long a status request waits: it is answered at once by a live node, so not a whole request timeout. */
    private final Duration statusTimeout;

    private SynodClient(Builder builder, SSLContext tls) {
        this.endpoints = List.copyOf(builder.endpoints);
        HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(builder.connectTimeout);
        if (tls != null) {
            // Host names are checked as the JDK does by default (HTTPS endpoint identification).
            http.sslContext(tls).sslParameters(new SSLParameters(null, new String[] {PemFiles.PROTOCOL}));
        }
        this.http = http.build();
        Duration quick = builder.connectTimeout.plusSeconds(1);
        this.statusTimeout = quick.compareTo(builder.requestTimeout) < 0 ? quick : builder.requestTimeout;
        String authorization = builder.token == null ? null : "Bearer " + builder.token;
        this.tracker = new MasterTracker(endpoints, this.http, statusTimeout, authorization);
        this.dispatcher = new Dispatcher(this.http, tracker, builder.requestTimeout, builder.retryBudget,
                builder.maxAttempts, authorization);
    }

    /** A builder; {@link Builder#endpoints} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The endpoints this client was built with, as origins ({@code http://host:port}). */
    public List<URI> endpoints() {
        return endpoints;
    }

    // ----- put -----

    /** Sets {@code key} to {@code value} (UTF-8); see {@link #put(String, byte[], PutOptions)}. */
    public WriteResult put(String key, String value) {
        return put(key, utf8(value), PutOptions.none());
    }

    /** Sets {@code key} to {@code value}; see {@link #put(String, byte[], PutOptions)}. */
    public WriteResult put(String key, byte[] value) {
        return put(key, value, PutOptions.none());
    }

    /** Sets {@code key} to {@code value} (UTF-8) under {@code options}; see {@link #put(String, byte[], PutOptions)}. */
    public WriteResult put(String key, String value, PutOptions options) {
        return put(key, utf8(value), options);
    }

    /**
     * Sets {@code key} to {@code value} if {@code options}' condition holds: {@code PUT /v1/kv/{key}}.
     *
     * @return the slot the write was chosen in and the key's new version
     * @throws ConditionFailedException the condition did not hold (nothing changed)
     * @throws IdempotencyKeyReusedException the caller's idempotency key was first used for another request
     * @throws BadRequestException the key or value is malformed or too large
     * @throws UnknownOutcomeException no definite answer within the budget: the write may still be applied
     * @throws UnavailableException the cluster refused it (no master, no quorum, overloaded, disk full) throughout
     */
    public WriteResult put(String key, byte[] value, PutOptions options) {
        PutOptions keyed = withKey(options);
        return await(putAsync(key, value, keyed), keyed.idempotencyKey().orElseThrow());
    }

    /** {@link #put(String, String)}, asynchronously. */
    public CompletableFuture<WriteResult> putAsync(String key, String value) {
        return putAsync(key, utf8(value), PutOptions.none());
    }

    /** {@link #put(String, byte[], PutOptions)}, asynchronously. */
    public CompletableFuture<WriteResult> putAsync(String key, byte[] value, PutOptions options) {
        Objects.requireNonNull(value, "value");
        PutOptions keyed = withKey(options);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Idempotency-Key", keyed.idempotencyKey().orElseThrow());
        headers.put("Content-Type", "application/octet-stream");
        keyed.ifVersion().ifPresent(version -> headers.put("If-Match", "\"" + version + "\""));
        if (keyed.ifAbsent()) {
            headers.put("If-None-Match", "*");
        }
        Request request = new Request("PUT", keyPath(key), headers, value.clone(), Request.Route.MASTER,
                keyed.idempotencyKey().orElseThrow());
        return dispatcher.send(request).thenApply(answer -> answer.statusCode() == 200 ? Answers.writeResult(answer)
                : rethrow(Answers.failure(request, answer)));
    }

    // ----- delete -----

    /** Deletes {@code key}; see {@link #delete(String, DeleteOptions)}. */
    public DeleteResult delete(String key) {
        return delete(key, DeleteOptions.none());
    }

    /**
     * Deletes {@code key} if {@code options}' condition holds: {@code DELETE /v1/kv/{key}}. Deleting a key that does
     * not exist succeeds with {@link DeleteResult#deleted()} false.
     *
     * @throws ConditionFailedException the condition did not hold (nothing changed)
     * @throws IdempotencyKeyReusedException the caller's idempotency key was first used for another request
     * @throws BadRequestException the key is malformed or too large
     * @throws UnknownOutcomeException no definite answer within the budget: the delete may still be applied
     * @throws UnavailableException the cluster refused it throughout
     */
    public DeleteResult delete(String key, DeleteOptions options) {
        DeleteOptions keyed = withKey(options);
        return await(deleteAsync(key, keyed), keyed.idempotencyKey().orElseThrow());
    }

    /** {@link #delete(String)}, asynchronously. */
    public CompletableFuture<DeleteResult> deleteAsync(String key) {
        return deleteAsync(key, DeleteOptions.none());
    }

    /** {@link #delete(String, DeleteOptions)}, asynchronously. */
    public CompletableFuture<DeleteResult> deleteAsync(String key, DeleteOptions options) {
        DeleteOptions keyed = withKey(options);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Idempotency-Key", keyed.idempotencyKey().orElseThrow());
        keyed.ifVersion().ifPresent(version -> headers.put("If-Match", "\"" + version + "\""));
        Request request = new Request("DELETE", keyPath(key), headers, null, Request.Route.MASTER,
                keyed.idempotencyKey().orElseThrow());
        return dispatcher.send(request).thenApply(answer -> answer.statusCode() == 200 ? Answers.deleteResult(answer)
                : rethrow(Answers.failure(request, answer)));
    }

    // ----- reads -----

    /** The value of {@code key}, linearizably; see {@link #get(String, ReadOptions)}. */
    public Optional<KeyValue> get(String key) {
        return get(key, ReadOptions.defaults());
    }

    /**
     * The value of {@code key} read as {@code options} say: {@code GET /v1/kv/{key}}.
     *
     * @return the key's value, version and the answering node's applied slot; empty if the key does not exist
     * @throws BadRequestException the key is malformed or too large
     * @throws UnavailableException no node could answer within the budget (or its {@code min-slot} was not reached)
     */
    public Optional<KeyValue> get(String key, ReadOptions options) {
        return await(getAsync(key, options), null);
    }

    /** {@link #get(String)}, asynchronously. */
    public CompletableFuture<Optional<KeyValue>> getAsync(String key) {
        return getAsync(key, ReadOptions.defaults());
    }

    /** {@link #get(String, ReadOptions)}, asynchronously. */
    public CompletableFuture<Optional<KeyValue>> getAsync(String key, ReadOptions options) {
        Request request = read(keyPath(key) + readQuery(options, new ArrayList<>()), options);
        return dispatcher.send(request).thenApply(answer -> {
            if (answer.statusCode() == 200) {
                return Optional.of(Answers.keyValue(key, answer));
            }
            if (answer.statusCode() == 404 && Answers.error(answer).code().equals("NOT_FOUND")) {
                return Optional.<KeyValue>empty();
            }
            throw Answers.failure(request, answer);
        });
    }

    /** The keys starting with {@code prefix}, linearizably; see {@link #list(String, int, ReadOptions)}. */
    public ListResult list(String prefix, int limit) {
        return list(prefix, limit, ReadOptions.defaults());
    }

    /**
     * The first {@code limit} keys starting with {@code prefix}, in key order, with their values and versions:
     * {@code GET /v1/kv?prefix=P&limit=L}.
     *
     * @param limit 1 to 10,000 (the server refuses others with {@link BadRequestException})
     * @throws UnavailableException no node could answer within the budget
     */
    public ListResult list(String prefix, int limit, ReadOptions options) {
        return await(listAsync(prefix, limit, options), null);
    }

    /** {@link #list(String, int)}, asynchronously. */
    public CompletableFuture<ListResult> listAsync(String prefix, int limit) {
        return listAsync(prefix, limit, ReadOptions.defaults());
    }

    /** {@link #list(String, int, ReadOptions)}, asynchronously. */
    public CompletableFuture<ListResult> listAsync(String prefix, int limit, ReadOptions options) {
        List<String> query = new ArrayList<>();
        query.add("prefix=" + percentEncode(prefix));
        query.add("limit=" + limit);
        Request request = read("/v1/kv" + readQuery(options, query), options);
        return dispatcher.send(request).thenApply(answer -> answer.statusCode() == 200 ? Answers.listResult(answer)
                : rethrow(Answers.failure(request, answer)));
    }

    // ----- status and log -----

    /**
     * The status of the master if it is known, else of the first endpoint that answers: {@code GET /v1/status},
     * retried like a read.
     *
     * @throws UnavailableException no endpoint answered within the budget
     */
    public NodeStatus status() {
        return await(statusAsync(), null);
    }

    /** {@link #status()}, asynchronously. */
    public CompletableFuture<NodeStatus> statusAsync() {
        Request request = new Request("GET", "/v1/status", Map.of(), null, Request.Route.MASTER, null);
        return dispatcher.send(request).thenApply(answer -> answer.statusCode() == 200
                ? Answers.nodeStatus(answer.body()) : rethrow(Answers.failure(request, answer)));
    }

    /**
     * The status of one node, asked once (no retries, no discovery) and waited for at most the connect timeout plus
     * 1 s (a live node answers at once): {@code GET endpoint/v1/status}.
     *
     * @param endpoint the node's URL ({@code http://host:port}); need not be one of {@link #endpoints()}
     * @throws UnavailableException it could not be reached or did not answer within the request timeout
     */
    public NodeStatus status(URI endpoint) {
        return await(statusAsync(endpoint), null);
    }

    /** {@link #status(URI)}, asynchronously. */
    public CompletableFuture<NodeStatus> statusAsync(URI endpoint) {
        URI origin = checkedOrigin(endpoint);
        Request request = new Request("GET", "/v1/status", Map.of(), null, Request.Route.ANY, null);
        return dispatcher.sendOnce(origin, request, statusTimeout).thenApply(answer -> answer.statusCode() == 200
                ? Answers.nodeStatus(answer.body()) : rethrow(Answers.failure(request, answer)));
    }

    /**
     * What log slot {@code slot} holds, as the master (or, with none known, an endpoint) knows it:
     * {@code GET /v1/log/{slot}}.
     *
     * @return the slot's command; empty if it is not chosen yet (or not known to the answering node)
     * @throws SynodException with code {@code COMPACTED} (status 410): the slot was compacted into a snapshot
     * @throws UnavailableException no node could answer within the budget
     */
    public Optional<LogEntry> log(long slot) {
        return await(logAsync(slot), null);
    }

    /** {@link #log(long)}, asynchronously. */
    public CompletableFuture<Optional<LogEntry>> logAsync(long slot) {
        if (slot < 0) {
            throw new IllegalArgumentException("a slot is never negative: " + slot);
        }
        Request request = new Request("GET", "/v1/log/" + slot, Map.of(), null, Request.Route.MASTER, null);
        return dispatcher.send(request).thenApply(answer -> {
            if (answer.statusCode() == 200) {
                return Optional.of(Answers.logEntry(answer));
            }
            if (answer.statusCode() == 404 && Answers.error(answer).code().equals("NOT_CHOSEN")) {
                return Optional.<LogEntry>empty();
            }
            throw Answers.failure(request, answer);
        });
    }

    /** Stops the HTTP client: requests in flight and their retries fail ({@code CLOSED}; a write: unknown). */
    @Override
    public void close() {
        dispatcher.close();
        http.shutdownNow();
    }

    // ----- helpers -----

    private static Request read(String pathAndQuery, ReadOptions options) {
        Request.Route route = options.consistency() == Consistency.STALE ? Request.Route.ANY : Request.Route.MASTER;
        return new Request("GET", pathAndQuery, Map.of(), null, route, null);
    }

    private static String readQuery(ReadOptions options, List<String> query) {
        if (options.consistency() != Consistency.LINEARIZABLE) {
            query.add("consistency=" + options.consistency().wireName());
        }
        options.minSlot().ifPresent(slot -> query.add("min-slot=" + slot));
        return query.isEmpty() ? "" : "?" + String.join("&", query);
    }

    private static String keyPath(String key) {
        Objects.requireNonNull(key, "key");
        return "/v1/kv/" + percentEncode(key);
    }

    /** %-encodes every UTF-8 byte of {@code text} but the unreserved characters of RFC 3986. */
    static String percentEncode(String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                encoded.append(c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    private static PutOptions withKey(PutOptions options) {
        Objects.requireNonNull(options, "options");
        return options.idempotencyKey().isPresent() ? options : options.idempotencyKey(UUID.randomUUID().toString());
    }

    private static DeleteOptions withKey(DeleteOptions options) {
        Objects.requireNonNull(options, "options");
        return options.idempotencyKey().isPresent() ? options : options.idempotencyKey(UUID.randomUUID().toString());
    }

    private static byte[] utf8(String value) {
        return Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T rethrow(SynodException failure) {
        throw failure;
    }

    /** Waits for {@code future}; throws its {@link SynodException} (see the class comment for an interrupt). */
    private static <T> T await(CompletableFuture<T> future, String idempotencyKey) {
        try {
            return future.get();
        } catch (ExecutionException failed) {
            Throwable cause = Dispatcher.unwrap(failed.getCause());
            if (cause instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new SynodException(0, "CLIENT_ERROR", Dispatcher.describe(cause), cause);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            if (idempotencyKey != null) {
                throw new UnknownOutcomeException(0, "INTERRUPTED", "interrupted while waiting for the write's answer; "
                        + "it may still be applied: retry it with Idempotency-Key " + idempotencyKey
                        + " or read the key", idempotencyKey, interrupted);
            }
            throw new SynodException(0, "INTERRUPTED", "interrupted while waiting for the answer", interrupted);
        }
    }

    private static URI checkedOrigin(URI endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme();
        URI origin = Answers.origin(endpoint.toString());
        if (origin == null || !(scheme.equals("http") || scheme.equals("https")) || endpoint.getPort() < 0) {
            throw new IllegalArgumentException("an endpoint is http://host:port (or https), not " + endpoint);
        }
        return origin;
    }

    /**
     * Builds a {@link SynodClient}. Defaults: connect timeout 1 s, request timeout 10 s (longer than a node's own 5 s
     * request timeout plus its 1 s grace, so a node's {@code 504} comes before the client gives up on an attempt),
     * retry budget 15 s, at most 32 attempts. Status requests (discovery, {@link SynodClient#status(URI)}) wait at
     * most the connect timeout plus 1 s. No token, and for {@code https://} endpoints the JDK's default trust store
     * and no client certificate.
     */
    public static final class Builder {
        private final List<URI> endpoints = new ArrayList<>();
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration retryBudget = Duration.ofSeconds(15);
        private int maxAttempts = 32;
        private Path caPem;
        private Path certificatePem;
        private Path keyPem;
        private String token;

        private Builder() {}

        /** The nodes to talk to, each {@code http://host:port} (or https); any of them will do, all is better. */
        public Builder endpoints(List<URI> urls) {
            if (urls.isEmpty()) {
                throw new IllegalArgumentException("at least one endpoint is needed");
            }
            endpoints.clear();
            for (URI url : urls) {
                URI origin = checkedOrigin(url);
                if (!endpoints.contains(origin)) {
                    endpoints.add(origin);
                }
            }
            return this;
        }

        /** The nodes to talk to as {@code http://h:p,http://h:p,...}. */
        public Builder endpoints(String commaSeparated) {
            List<URI> urls = new ArrayList<>();
            for (String part : commaSeparated.split(",", -1)) {
                String url = part.strip();
                if (url.isEmpty()) {
                    throw new IllegalArgumentException("an empty endpoint in '" + commaSeparated + "'");
                }
                try {
                    urls.add(new URI(url));
                } catch (java.net.URISyntaxException bad) {
                    throw new IllegalArgumentException("not a URL: " + url);
                }
            }
            return endpoints(urls);
        }

        /** How long connecting to a node may take (default 1 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long one attempt waits for its answer (default 10 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * How long a call may keep retrying, from its start (default 15 s): no retry starts after it. An attempt that
         * started in time may still take its {@link #requestTimeout}, so a call lasts at most about the budget plus
         * one request timeout.
         */
        public Builder retryBudget(Duration budget) {
            this.retryBudget = positive(budget, "retryBudget");
            return this;
        }

        /** The most attempts of one call, redirects included (default 32; 1 means no retries). */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, not " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Trusts only the CA certificates in {@code caPem} (PEM {@code CERTIFICATE} blocks, as {@code synod certs}
         * writes {@code ca.crt}) for {@code https://} endpoints, instead of the JDK's default trust store.
         */
        public Builder trustCertificates(Path caPem) {
            this.caPem = Objects.requireNonNull(caPem, "caPem");
            return this;
        }

        /**
         * Presents this client certificate to {@code https://} endpoints: the chain in {@code certificatePem} (the
         * client's certificate first) and its unencrypted PKCS#8 key in {@code keyPem} ({@code PRIVATE KEY}, EC or
         * RSA), as {@code synod certs} writes {@code client.crt} and {@code client.key}.
         */
        public Builder clientCertificate(Path certificatePem, Path keyPem) {
            this.certificatePem = Objects.requireNonNull(certificatePem, "certificatePem");
            this.keyPem = Objects.requireNonNull(keyPem, "keyPem");
            return this;
        }

        /**
         * Sends {@code Authorization: Bearer token} with every request (the nodes' {@code --auth-tokens-file}).
         *
         * @throws IllegalArgumentException the token is empty or not visible ASCII (no spaces, no control
         *     characters); the message does not repeat it
         */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("a token is one word of visible ASCII characters (no spaces)");
            }
            this.token = token;
            return this;
        }

        /**
         * The client.
         *
         * @throws IllegalStateException no endpoints, or TLS files given though no endpoint is {@code https://}
         * @throws IllegalArgumentException a TLS file cannot be read or is not the PEM it should be (the message
         *     names it: {@link PemFiles})
         */
        public SynodClient build() {
            if (endpoints.isEmpty()) {
                throw new IllegalStateException("endpoints(...) is required");
            }
            boolean https = endpoints.stream().anyMatch(url -> url.getScheme().equals("https"));
            if (!https && (caPem != null || certificatePem != null)) {
                throw new IllegalStateException("a CA or client certificate is only used with https:// endpoints, and "
                        + "none is");
            }
            return new SynodClient(this, https ? PemFiles.sslContext(caPem, certificatePem, keyPem) : null);
        }

        private static Duration positive(Duration duration, String what) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + duration);
            }
            return duration;
        }
    }
}
