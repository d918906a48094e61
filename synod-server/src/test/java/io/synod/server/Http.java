package io.synod.server;

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

/** A small blocking HTTP/1.1 client for the API tests, on {@link HttpClient}. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final String base;
    private final String token;

    Http(String baseUrl) {
        this(baseUrl, null, null);
    }

    /** Over HTTPS with {@code ssl} (null: plain), sending {@code token} as the bearer token (null: none). */
    Http(String baseUrl, javax.net.ssl.SSLContext ssl, String token) {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        this.client = builder.build();
        this.base = baseUrl;
        this.token = token;
    }

    String base() {
        return base;
    }

    /** One answer: status, headers and body. */
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

        long slotHeader() {
            return Long.parseLong(header("X-Synod-Slot").orElseThrow());
        }

        /** The version in the ETag header, without its quotes. */
        long etag() {
            String etag = header("ETag").orElseThrow(() -> new AssertionError("no ETag: " + this));
            if (!etag.startsWith("\"") || !etag.endsWith("\"")) {
                throw new AssertionError("ETag is not quoted: " + etag);
            }
            return Long.parseLong(etag.substring(1, etag.length() - 1));
        }

        @Override
        public String toString() {
            return status + " " + text();
        }
    }

    Reply send(String method, String pathAndQuery, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
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
            throw new UncheckedIOException(method + " " + pathAndQuery + " failed", failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    Reply get(String pathAndQuery, String... headers) {
        return send("GET", pathAndQuery, null, headers);
    }

    Reply put(String pathAndQuery, String value, String... headers) {
        return send("PUT", pathAndQuery, value.getBytes(StandardCharsets.UTF_8), headers);
    }

    Reply put(String pathAndQuery, byte[] value, String... headers) {
        return send("PUT", pathAndQuery, value, headers);
    }

    Reply delete(String pathAndQuery, String... headers) {
        return send("DELETE", pathAndQuery, null, headers);
    }

    /** What a successful PUT answered: the slot the write was applied in and the key's new version. */
    record Written(long slot, long version) {}

    /** PUTs and insists on 200; returns the slot and version it answered. */
    Written putWritten(String key, String value) {
        Reply reply = put("/v1/kv/" + key, value);
        if (reply.status() != 200) {
            throw new AssertionError("PUT " + key + " answered " + reply);
        }
        return new Written(reply.json().get("slot").asLong(), reply.json().get("version").asLong());
    }

    /** PUTs and insists on 200; returns the version it answered (the write's revision): what ETag and If-Match use. */
    long putOk(String key, String value) {
        return putWritten(key, value).version();
    }

    /** PUTs and insists on 200; returns the slot it answered: what {@code ?min-slot=} and X-Synod-Slot use. */
    long putSlot(String key, String value) {
        return putWritten(key, value).slot();
    }

    JsonNode status() {
        Reply reply = get("/v1/status");
        if (reply.status() != 200) {
            throw new AssertionError("status answered " + reply);
        }
        return reply.json();
    }
}
