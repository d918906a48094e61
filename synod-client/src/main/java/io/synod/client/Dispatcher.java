package io.synod.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Sends a {@link Request} until it has a definite answer or its retry budget is spent. What is retried:
 * <ul>
 *   <li>{@code 503} (nothing was done): after at least its {@code Retry-After}; {@code NO_MASTER} and
 *       {@code NO_QUORUM} also make the client look for the master (or another endpoint) again;</li>
 *   <li>{@code 504} and a client-side timeout: a read changed nothing; a write's outcome becomes unknown, and its
 *       retries carry the same idempotency key, so it is applied at most once;</li>
 *   <li>a connection error: before sending (refused, connect timeout) nothing was done; after sending, as a
 *       timeout;</li>
 *   <li>{@code 307}: sent again at once to its {@code Location}, which becomes the master.</li>
 * </ul>
 * Everything else (2xx, 4xx, {@code 507}, other statuses) is the answer; {@code 401} and {@code 403} become
 * {@link AccessDeniedException}. A {@link #isTlsFailure TLS failure} is not retried either ({@code TLS_FAILED}). Retries wait an exponential backoff with
 * jitter (from {@value #BACKOFF_FIRST_MS} ms, doubling up to {@value #BACKOFF_MAX_MS} ms), within the budget's deadline
 * and the most attempts. When the budget runs out, a write that may have reached a node fails with
 * {@link UnknownOutcomeException}, anything else with {@link UnavailableException}. Thread-safe.
 */
final class Dispatcher {
    static final long BACKOFF_FIRST_MS = 50;
    static final long BACKOFF_MAX_MS = 1_000;

    private final HttpClient http;
    private final MasterTracker tracker;
    private final Duration requestTimeout;
    private final long budgetNanos;
    private final int maxAttempts;
    /** The {@code Authorization} header every request carries ({@code Bearer TOKEN}), or null for none. */
    private final String authorization;
    private volatile boolean closed;

    Dispatcher(HttpClient http, MasterTracker tracker, Duration requestTimeout, Duration budget, int maxAttempts,
            String authorization) {
        this.http = http;
        this.authorization = authorization;
        this.tracker = tracker;
        this.requestTimeout = requestTimeout;
        this.budgetNanos = budget.toNanos();
        this.maxAttempts = maxAttempts;
    }

    /** Sends until a definite answer (the future's value) or the budget is spent (a {@link SynodException}). */
    CompletableFuture<HttpResponse<byte[]>> send(Request request) {
        Call call = new Call(request, System.nanoTime() + budgetNanos);
        call.attempt(null);
        return call.result;
    }

    /**
     * Sends once to {@code endpoint}, no retries, waiting at most {@code timeout}: the answer, or
     * {@link UnavailableException} if none came.
     */
    CompletableFuture<HttpResponse<byte[]>> sendOnce(URI endpoint, Request request, Duration timeout) {
        if (closed) {
            return CompletableFuture.failedFuture(closedException(request));
        }
        try {
            return http.sendAsync(build(endpoint.resolve(request.pathAndQuery()), request, timeout),
                    HttpResponse.BodyHandlers.ofByteArray()).handle((answer, error) -> {
                        if (error != null) {
                            Throwable cause = unwrap(error);
                            throw isTlsFailure(cause) ? tlsFailure(request, endpoint, cause)
                                    : noAnswer(request, endpoint, cause);
                        }
                        return answer;
                    });
        } catch (RuntimeException closing) {
            return CompletableFuture.failedFuture(closedException(request));
        }
    }

    /** Refuses new requests and fails the retries of those in flight. */
    void close() {
        closed = true;
    }

    private HttpRequest build(URI uri, Request request, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.build();
    }

    private static SynodException closedException(Request request) {
        return new SynodException(0, "CLOSED", request.describe() + ": the client is closed");
    }

    /** The attempts of one request. */
    private final class Call {
        final Request request;
        final long deadlineNanos;
        final long startedNanos = System.nanoTime();
        final CompletableFuture<HttpResponse<byte[]>> result = new CompletableFuture<>();
        int attempts;
        /** Whether an attempt of this write may have reached a node without a definite answer. Never reset. */
        boolean mayBeApplied;

        Call(Request request, long deadlineNanos) {
            this.request = request;
            this.deadlineNanos = deadlineNanos;
        }

        /** One attempt: to {@code redirect} if a 307 named it, else where the tracker says. */
        void attempt(URI redirect) {
            if (closed) {
                giveUp(closedException(request));
                return;
            }
            attempts++;
            CompletableFuture<URI> target = redirect != null ? CompletableFuture.completedFuture(redirect)
                    : tracker.target(request.route()).thenApply(base -> base.resolve(request.pathAndQuery()));
            target.thenCompose(uri -> http.sendAsync(build(uri, request, requestTimeout),
                            HttpResponse.BodyHandlers.ofByteArray())
                            .handle((answer, error) -> {
                                URI origin = Answers.origin(uri.toString());
                                if (error != null) {
                                    failed(origin, unwrap(error));
                                } else {
                                    answered(origin, answer);
                                }
                                return null;
                            }))
                    .exceptionally(error -> {
                        // Building or handing over the request failed (the client is closing): nothing was sent.
                        giveUp(closed ? closedException(request) : new SynodException(0, "CLIENT_ERROR",
                                request.describe() + ": " + describe(unwrap(error))));
                        return null;
                    });
        }

        private void answered(URI origin, HttpResponse<byte[]> answer) {
            int status = answer.statusCode();
            if (status != 503) {
                // A 503 relayed by a follower names the master it could not reach: nothing to learn from it.
                answer.headers().firstValue("X-Synod-Master").ifPresent(id -> {
                    try {
                        tracker.masterNamed(Integer.parseInt(id.trim()));
                    } catch (NumberFormatException notAnId) {
                        // Not a node id: nothing to learn.
                    }
                });
            }
            if (status == 307) {
                redirected(origin, answer);
                return;
            }
            if (status == 503) {
                Answers.ErrorBody error = Answers.error(answer);
                if (error.code().equals("NO_MASTER") || error.code().equals("NO_QUORUM")) {
                    tracker.avoid(origin);
                }
                retry(new UnavailableException(503, error.code(), Answers.message(request, 503, error), null),
                        Answers.retryAfterMs(answer));
                return;
            }
            if (status == 504) {
                Answers.ErrorBody error = Answers.error(answer);
                mayBeApplied |= request.isWrite();
                retry(new UnavailableException(504, error.code(), Answers.message(request, 504, error), null), 0);
                return;
            }
            result.complete(answer);
        }

        private void redirected(URI origin, HttpResponse<byte[]> answer) {
            URI location = answer.headers().firstValue("Location").map(origin::resolve).orElse(null);
            URI master = location == null ? null : Answers.origin(location.toString());
            if (master == null) {
                result.complete(answer); // a 307 without a usable Location: the caller sees it as it is
                return;
            }
            int id = answer.headers().firstValue("X-Synod-Master").map(String::trim)
                    .filter(text -> text.matches("\\d+")).map(Integer::parseInt).orElse(-1);
            tracker.redirectedTo(id, master);
            if (attempts >= maxAttempts) {
                giveUp(new UnavailableException(307, "REDIRECT", request.describe() + ": redirected to " + location
                        + " again and again", null));
                return;
            }
            attempt(location);
        }

        private void failed(URI origin, Throwable cause) {
            tracker.avoid(origin);
            if (closed) {
                giveUp(closedException(request));
                return;
            }
            if (!(cause instanceof IOException)) {
                giveUp(new SynodException(0, "CLIENT_ERROR", request.describe() + ": " + describe(cause)));
                return;
            }
            if (isTlsFailure(cause)) {
                giveUp(tlsFailure(request, origin, cause)); // the same certificates fail the same way again
                return;
            }
            mayBeApplied |= request.isWrite() && !beforeSending(cause);
            retry(noAnswer(request, origin, cause), 0);
        }

        private void retry(SynodException why, long retryAfterMs) {
            if (attempts >= maxAttempts) {
                giveUp(why);
                return;
            }
            long ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS << Math.min(attempts - 1, 20));
            long backoffMs = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
            long delayMs = Math.max(backoffMs, retryAfterMs);
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) >= deadlineNanos) {
                giveUp(why);
                return;
            }
            CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(() -> attempt(null));
        }

        private void giveUp(SynodException why) {
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            if (mayBeApplied) {
                result.completeExceptionally(new UnknownOutcomeException(why.status(), why.code(),
                        request.describe() + ": the outcome is UNKNOWN after " + attempts + " attempt(s) in " + tookMs
                                + " ms (last: " + why.getMessage() + "); the write may still be applied: retry it with "
                                + "Idempotency-Key " + request.idempotencyKey() + " or read the key", request
                                .idempotencyKey(), why));
                return;
            }
            if (why.code().equals("CLOSED") || why.code().equals("CLIENT_ERROR") || why.code().equals("TLS_FAILED")
                    || attempts <= 1) {
                result.completeExceptionally(why);
                return;
            }
            result.completeExceptionally(new UnavailableException(why.status(), why.code(), why.getMessage()
                    + " (gave up after " + attempts + " attempts in " + tookMs + " ms)", why.getCause()));
        }
    }

    /** Whether a failure happened before the request was sent (refused, connect timeout): nothing reached a node. */
    private static boolean beforeSending(Throwable cause) {
        return cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException;
    }

    /**
     * No answer came from {@code origin}: code {@code CONNECTION_FAILED} (cannot connect, or the connection broke) or
     * {@code TIMEOUT} (no answer within the request timeout).
     */
    private static UnavailableException noAnswer(Request request, URI origin, Throwable cause) {
        boolean timeout = cause instanceof HttpTimeoutException && !beforeSending(cause);
        String what = beforeSending(cause) ? "cannot connect" : timeout ? "no answer in time" : "the connection broke";
        return new UnavailableException(0, timeout ? "TIMEOUT" : "CONNECTION_FAILED", request.describe() + " on "
                + origin + ": " + what + " (" + describe(cause) + ")", cause);
    }

    /**
     * Whether {@code cause} is a TLS failure that trying again cannot mend: a certificate the client does not trust
     * or that does not name the host dialled, a fatal alert from the node (it refused the client's certificate, or
     * none came), an endpoint that does not speak TLS. A TLS connection that merely broke is not one: it is retried.
     */
    static boolean isTlsFailure(Throwable cause) {
        if (!(cause instanceof SSLException tls)) {
            return false;
        }
        if (tls instanceof SSLPeerUnverifiedException) {
            return true;
        }
        for (Throwable inner = tls; inner != null; inner = inner.getCause()) {
            if (inner instanceof CertificateException) {
                return true;
            }
        }
        return String.valueOf(tls.getMessage()).contains("fatal alert") || speaksPlainText(tls);
    }

    /** Whether the other side answered the handshake in something that is not TLS (a plain HTTP server, say). */
    private static boolean speaksPlainText(Throwable tls) {
        return String.valueOf(tls.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("unrecognized ssl message");
    }

    /** A {@link #isTlsFailure TLS failure} on {@code origin}: code {@code TLS_FAILED}, with what to check. */
    private static SynodException tlsFailure(Request request, URI origin, Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        String hint;
        if (speaksPlainText(cause)) {
            hint = "the endpoint does not speak TLS (is it http://?)";
        } else if (message.contains("fatal alert")) {
            hint = "the node refused the handshake (check the client certificate, --cert and --key)";
        } else {
            hint = "the node's certificate is not signed by a trusted CA or does not name " + origin.getHost()
                    + " (check --ca and the endpoint's host)";
        }
        return new SynodException(0, "TLS_FAILED", request.describe() + " on " + origin + ": TLS failed: " + hint
                + " (TLS_FAILED: " + describe(cause) + ")", cause);
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static String describe(Throwable cause) {
        String message = cause.getMessage();
        String text = message == null || message.isBlank() ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + message;
        return Answers.oneLine(text);
    }
}
