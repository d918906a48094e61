package io.synod.dist.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** HTTP to one node's API, for the end-to-end tests. Transport failures are {@link UncheckedIOException}s. */
final class NodeClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String base;
    private final Duration timeout;
    private final HttpClient client;
    private final String token;

    /** A client on {@code client} (HTTPS if it was built with an SSLContext) sending {@code token} (null: none). */
    NodeClient(String base, Duration timeout, HttpClient client, String token) {
        this.base = base;
        this.timeout = timeout;
        this.client = client;
        this.token = token;
    }

    NodeClient(String base, Duration timeout) {
        this(base, timeout, CLIENT, null);
    }

    NodeClient(String base) {
        this(base, Duration.ofSeconds(20));
    }

    record Reply(int status, java.net.http.HttpHeaders headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException notJson) {
                throw new AssertionError("not JSON (status " + status + "): " + text(), notJson);
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }

    Reply send(String method, String pathAndQuery, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException failed) {
            throw new UncheckedIOException(method + " " + base + pathAndQuery + ": " + failed, failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    Reply get(String pathAndQuery) {
        return send("GET", pathAndQuery, null);
    }

    Reply put(String key, String value, String... headers) {
        return send("PUT", "/v1/kv/" + key, value.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** PUTs and insists on 200; returns the slot (the answer's {@code version} is the key's new version). */
    long putOk(String key, String value) {
        Reply reply = put(key, value);
        if (reply.status() != 200) {
            throw new AssertionError("PUT " + key + " on " + base + " answered " + reply);
        }
        return reply.json().get("slot").asLong();
    }

    JsonNode status() {
        Reply reply = get("/v1/status");
        if (reply.status() != 200) {
            throw new AssertionError("status of " + base + " answered " + reply);
        }
        return reply.json();
    }

    /** Every slot below this is applied here (the status's {@code slots.applied}). */
    long applied() {
        return status().get("slots").get("applied").asLong();
    }

    String base() {
        return base;
    }
}
