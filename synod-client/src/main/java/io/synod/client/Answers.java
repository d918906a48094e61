package io.synod.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Reads the server's answers (DESIGN.md §1) into the client's results and exceptions. */
final class Answers {
    static final ObjectMapper JSON = new ObjectMapper();

    private Answers() {}

    /** The {@code {"error","code"}} of an error answer; a body that is not that shape gives {@code HTTP_<status>}. */
    record ErrorBody(String code, String message) {}

    static ErrorBody error(HttpResponse<byte[]> answer) {
        try {
            JsonNode body = JSON.readTree(answer.body());
            if (body != null && body.path("code").isTextual()) {
                return new ErrorBody(body.get("code").asText(), body.path("error").asText("(no message)"));
            }
        } catch (IOException notJson) {
            // Not the API's error shape: described by its status below.
        }
        return new ErrorBody("HTTP_" + answer.statusCode(), "the server answered HTTP " + answer.statusCode());
    }

    /** The exception for a definite answer that is not a success. */
    static SynodException failure(Request request, HttpResponse<byte[]> answer) {
        ErrorBody error = error(answer);
        String message = message(request, answer.statusCode(), error);
        int status = answer.statusCode();
        return switch (status) {
            case 400, 405, 413, 414, 431 -> new BadRequestException(status, error.code(), message);
            case 401, 403 -> new AccessDeniedException(status, error.code(), message);
            case 412 -> new ConditionFailedException(error.code(), message, etag(answer));
            case 422 -> new IdempotencyKeyReusedException(error.code(), message);
            case 503, 504, 507 -> new UnavailableException(status, error.code(), message, null);
            default -> new SynodException(status, error.code(), message);
        };
    }

    /** One line: what was asked, the server's sentence, its status and code. */
    static String message(Request request, int status, ErrorBody error) {
        return request.describe() + ": " + oneLine(error.message()) + " (" + status + " " + error.code() + ")";
    }

    static WriteResult writeResult(HttpResponse<byte[]> answer) {
        JsonNode body = json(answer);
        return new WriteResult(body.path("slot").asLong(), body.path("version").asLong());
    }

    static DeleteResult deleteResult(HttpResponse<byte[]> answer) {
        JsonNode body = json(answer);
        return new DeleteResult(body.path("slot").asLong(), body.path("version").asLong(),
                body.path("deleted").asBoolean());
    }

    static KeyValue keyValue(String key, HttpResponse<byte[]> answer) {
        long slot = answer.headers().firstValue("X-Synod-Slot").map(Long::parseLong).orElse(-1L);
        return new KeyValue(key, answer.body(), etag(answer).orElse(-1), slot);
    }

    static ListResult listResult(HttpResponse<byte[]> answer) {
        JsonNode body = json(answer);
        long slot = body.path("slot").asLong();
        List<KeyValue> items = new ArrayList<>();
        for (JsonNode item : body.path("items")) {
            items.add(new KeyValue(new String(bytes(item, "key"), StandardCharsets.UTF_8), bytes(item, "value"),
                    item.path("version").asLong(), slot));
        }
        return new ListResult(items, slot);
    }

    static LogEntry logEntry(HttpResponse<byte[]> answer) {
        JsonNode body = json(answer);
        return new LogEntry(body.path("slot").asLong(), body.path("applied").asBoolean(),
                body.path("command").toString(), new String(answer.body(), StandardCharsets.UTF_8));
    }

    static NodeStatus nodeStatus(byte[] raw) {
        JsonNode body = parse(raw);
        JsonNode lease = body.path("lease");
        JsonNode slots = body.path("slots");
        List<NodeStatus.Peer> peers = new ArrayList<>();
        for (JsonNode peer : body.path("peers")) {
            peers.add(new NodeStatus.Peer(peer.path("id").asInt(), peer.path("reachable").asBoolean(),
                    optionalLong(peer.path("applied")), Optional.ofNullable(origin(peer.path("http").asText(null)))));
        }
        return new NodeStatus(body.path("id").asInt(), body.path("role").asText(""), optionalInt(body.path("master")),
                Optional.ofNullable(origin(body.path("masterHttp").asText(null))),
                new NodeStatus.Lease(optionalInt(lease.path("holder")), lease.path("remainingMs").asLong()),
                body.path("election").asText(""),
                body.path("ballot").isTextual() ? Optional.of(body.get("ballot").asText()) : Optional.empty(),
                new NodeStatus.Slots(optionalLong(slots.path("firstRetained")), optionalLong(slots.path("committed")),
                        slots.path("applied").asLong()),
                peers, new String(raw, StandardCharsets.UTF_8));
    }

    /** The version in an {@code ETag: "V"} header. */
    static OptionalLong etag(HttpResponse<byte[]> answer) {
        Optional<String> header = answer.headers().firstValue("ETag");
        if (header.isEmpty()) {
            return OptionalLong.empty();
        }
        String text = header.get().trim();
        if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
            text = text.substring(1, text.length() - 1);
        }
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException notAVersion) {
            return OptionalLong.empty();
        }
    }

    /** The scheme, host and port of a URL ({@code http://h:p}), or null if it is null or not an absolute URL. */
    static URI origin(String url) {
        if (url == null || url.isEmpty()) {
            return null;
        }
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return null;
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), null, null, null);
        } catch (java.net.URISyntaxException bad) {
            return null;
        }
    }

    /** Seconds of a {@code Retry-After: N} header, in ms; 0 if absent or not a number of seconds. */
    static long retryAfterMs(HttpResponse<byte[]> answer) {
        Optional<String> header = answer.headers().firstValue("Retry-After");
        try {
            return header.map(value -> Math.max(0, Long.parseLong(value.trim())) * 1_000).orElse(0L);
        } catch (NumberFormatException aDate) {
            return 0;
        }
    }

    static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private static JsonNode json(HttpResponse<byte[]> answer) {
        return parse(answer.body());
    }

    private static JsonNode parse(byte[] raw) {
        try {
            JsonNode node = JSON.readTree(raw);
            if (node == null || !node.isObject()) {
                throw new SynodException(0, "BAD_ANSWER", "the server's answer is not a JSON object");
            }
            return node;
        } catch (IOException notJson) {
            throw new SynodException(0, "BAD_ANSWER", "the server's answer is not JSON: " + notJson.getMessage());
        }
    }

    /** The bytes under {@code name} (UTF-8 text) or {@code nameBase64} (other bytes), as the server writes them. */
    private static byte[] bytes(JsonNode item, String name) {
        if (item.path(name).isTextual()) {
            return item.get(name).asText().getBytes(StandardCharsets.UTF_8);
        }
        return Base64.getDecoder().decode(item.path(name + "Base64").asText(""));
    }

    private static OptionalInt optionalInt(JsonNode node) {
        return node.isIntegralNumber() ? OptionalInt.of(node.asInt()) : OptionalInt.empty();
    }

    private static OptionalLong optionalLong(JsonNode node) {
        return node.isIntegralNumber() ? OptionalLong.of(node.asLong()) : OptionalLong.empty();
    }
}
