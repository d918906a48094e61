package io.synod.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP answer: status, content type, body and extra headers. Immutable. */
record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    static final String JSON_TYPE = "application/json";

    static Response json(int status, Object body) {
        try {
            return new Response(status, JSON_TYPE, JSON.writeValueAsBytes(body), Map.of());
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** The error shape of DESIGN.md: {@code {"error": "one sentence", "code": "SNAKE_CASE"}}. */
    static Response error(int status, String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("code", code);
        return json(status, body);
    }

    static Response of(ApiException failure) {
        Response response = error(failure.status, failure.code, failure.getMessage());
        if (failure.header != null) {
            response = response.withHeader(failure.header[0], failure.header[1]);
        }
        return failure.allow == null ? response : response.withHeader("Allow", failure.allow);
    }

    static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** Whether this is the {@code 503 NO_MASTER} refusal: this node may not propose, another node may. */
    boolean isNoMaster() {
        if (status != 503 || !contentType.equals(JSON_TYPE)) {
            return false;
        }
        try {
            return "NO_MASTER".equals(JSON.readTree(body).path("code").asText());
        } catch (java.io.IOException notJson) {
            return false;
        }
    }

    Response withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Response(status, contentType, body, Map.copyOf(more));
    }
}
