package io.synod.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which node the client believes is master, and which endpoint it uses when it knows none. It learns the master from
 * {@code /v1/status} ({@code masterHttp}, asked of every endpoint at once: {@link #discover}), from the
 * {@code X-Synod-Master} header of any answer (an id, mapped to a URL learned from the statuses), and from a
 * {@code 307}'s {@code Location}. It forgets the master when the master cannot be reached or says it is not master
 * any more ({@code 503 NO_MASTER}); the next request that needs it discovers again. Thread-safe.
 */
final class MasterTracker {
    /** A master the client knows: its id (-1 if only its URL is known) and its HTTP origin. */
    record Master(int id, URI url) {}

    private final List<URI> endpoints;
    private final HttpClient http;
    private final Duration statusTimeout;
    /** The {@code Authorization} header of status requests, or null for none. */
    private final String authorization;
    private final AtomicReference<Master> master = new AtomicReference<>();
    private final Map<Integer, URI> urlsById = new ConcurrentHashMap<>();
    private final AtomicInteger cursor = new AtomicInteger();
    private final AtomicReference<CompletableFuture<Void>> discovery = new AtomicReference<>();

    MasterTracker(List<URI> endpoints, HttpClient http, Duration statusTimeout, String authorization) {
        this.endpoints = List.copyOf(endpoints);
        this.authorization = authorization;
        this.http = http;
        this.statusTimeout = statusTimeout;
    }

    /** The master if known. */
    Master master() {
        return master.get();
    }

    /** The endpoint used for requests that may go anywhere, and for ordered ones while no master is known. */
    URI current() {
        return endpoints.get(Math.floorMod(cursor.get(), endpoints.size()));
    }

    /** Where the next attempt of a request on {@code route} goes; discovers the master first if needed. */
    CompletableFuture<URI> target(Request.Route route) {
        if (route == Request.Route.ANY) {
            return CompletableFuture.completedFuture(current());
        }
        Master known = master.get();
        if (known != null) {
            return CompletableFuture.completedFuture(known.url());
        }
        return discover().thenApply(done -> {
            Master found = master.get();
            return found != null ? found.url() : current();
        });
    }

    /**
     * Asks every endpoint's {@code /v1/status} at once (one discovery at a time; callers during one share it). Done
     * as soon as a node says it is master, else when every endpoint answered or failed; the master is then the one
     * the first answer names, if any does. Never completes exceptionally.
     */
    CompletableFuture<Void> discover() {
        CompletableFuture<Void> running = discovery.get();
        if (running != null && !running.isDone()) {
            return running;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!discovery.compareAndSet(running, done)) {
            CompletableFuture<Void> other = discovery.get();
            return other != null ? other : CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> asks = new ArrayList<>();
        AtomicReference<Master> named = new AtomicReference<>();
        for (URI endpoint : endpoints) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint.resolve("/v1/status")).timeout(statusTimeout)
                    .GET();
            if (authorization != null) {
                builder.header("Authorization", authorization);
            }
            HttpRequest request = builder.build();
            CompletableFuture<Void> ask;
            try {
                ask = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((answer, error) -> {
                    if (error == null && answer.statusCode() == 200) {
                        learnStatus(endpoint, answer.body(), named, done);
                    }
                    return null;
                });
            } catch (RuntimeException closed) {
                ask = CompletableFuture.completedFuture(null);
            }
            asks.add(ask);
        }
        CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).whenComplete((all, error) -> {
            Master first = named.get();
            if (first != null && !done.isDone()) {
                master.compareAndSet(null, first);
            }
            done.complete(null);
        });
        return done;
    }

    private void learnStatus(URI endpoint, byte[] body, AtomicReference<Master> named, CompletableFuture<Void> done) {
        JsonNode status;
        try {
            status = Answers.JSON.readTree(body);
        } catch (java.io.IOException notJson) {
            return;
        }
        if (status.path("id").isInt()) {
            urlsById.putIfAbsent(status.get("id").asInt(), endpoint);
        }
        for (JsonNode peer : status.path("peers")) {
            URI url = Answers.origin(peer.path("http").asText(null));
            if (peer.path("id").isInt() && url != null) {
                urlsById.put(peer.get("id").asInt(), url);
            }
        }
        URI masterUrl = Answers.origin(status.path("masterHttp").asText(null));
        int masterId = status.path("master").isInt() ? status.get("master").asInt() : -1;
        if (status.path("role").asText().equals("master")) {
            master.set(new Master(status.path("id").asInt(-1), masterUrl != null ? masterUrl : endpoint));
            done.complete(null);
        } else if (masterUrl != null) {
            named.compareAndSet(null, new Master(masterId, masterUrl));
        }
    }

    /** An answer named the master in {@code X-Synod-Master}: use it if its URL is known, else discover. */
    void masterNamed(int id) {
        Master known = master.get();
        if (known != null && known.id() == id) {
            return;
        }
        URI url = urlsById.get(id);
        if (url != null) {
            master.set(new Master(id, url));
        } else {
            discover();
        }
    }

    /** A {@code 307} pointed at {@code url} (node {@code id}, or -1 if the answer did not say). */
    void redirectedTo(int id, URI url) {
        master.set(new Master(id, url));
        if (id >= 0) {
            urlsById.put(id, url);
        }
    }

    /**
     * {@code endpoint} did not do the request: it could not be reached, or it said it has no master or no quorum.
     * Forgets it as master, and moves the cursor on if it was the current endpoint.
     */
    void avoid(URI endpoint) {
        Master known = master.get();
        if (known != null && known.url().equals(endpoint)) {
            master.compareAndSet(known, null);
        }
        int at = cursor.get();
        if (endpoints.get(Math.floorMod(at, endpoints.size())).equals(endpoint)) {
            cursor.compareAndSet(at, at + 1);
        }
    }
}
