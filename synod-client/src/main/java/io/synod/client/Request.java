package io.synod.client;

import java.util.Map;

/**
 * One logical request as every attempt of it sends it: method, path with query (already %-encoded), headers and body,
 * where it should go, and whether it is a write (whose outcome can become unknown).
 *
 * @param idempotencyKey the key a write carries in every attempt; null for reads
 */
record Request(String method, String pathAndQuery, Map<String, String> headers, byte[] body, Route route,
        String idempotencyKey) {
    /** Where a request goes. */
    enum Route {
        /** To the master when it is known (writes, ordered reads, status, log), else to any endpoint. */
        MASTER,
        /** To any endpoint (stale reads). */
        ANY
    }

    Request {
        headers = Map.copyOf(headers);
    }

    boolean isWrite() {
        return idempotencyKey != null;
    }

    /** What the request is, for messages: {@code PUT /v1/kv/a}. */
    String describe() {
        int query = pathAndQuery.indexOf('?');
        return method + " " + (query < 0 ? pathAndQuery : pathAndQuery.substring(0, query));
    }
}
