package io.synod.server;

import static io.synod.server.KvApiTest.assertErrorShape;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.synod.server.Http.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad requests on one real node: each gets its status and the {@code {"error","code"}} JSON shape, nothing is written,
 * and the node keeps serving afterwards (checked after every test).
 */
class BadInputTest extends OneNodeTest {
    @AfterEach
    void theNodeStillServes() {
        long slot = http.putOk("still-serving", "yes");
        Reply get = http.get("/v1/kv/still-serving");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.text()).isEqualTo("yes");
        assertThat(get.etag()).isEqualTo(slot);
    }

    private static RawHttp raw() throws java.io.IOException {
        return new RawHttp(cluster.httpAddress(0));
    }

    @Test
    void anEmptyKeyIs400() throws Exception {
        for (String method : List.of("GET", "PUT", "DELETE")) {
            Reply reply = http.send(method, "/v1/kv/", method.equals("PUT") ? new byte[] {1} : null);
            assertThat(reply.status()).as(method).isEqualTo(400);
            assertErrorShape(reply, "BAD_KEY");
        }
    }

    @Test
    void aKeyOverOneKibIs413AndOneKibIsFine() {
        String max = "k".repeat(1024);
        assertThat(http.put("/v1/kv/" + max, "ok").status()).isEqualTo(200);
        assertThat(http.get("/v1/kv/" + max).text()).isEqualTo("ok");

        String over = "k".repeat(1025);
        for (String method : List.of("GET", "PUT", "DELETE")) {
            Reply reply = http.send(method, "/v1/kv/" + over, method.equals("PUT") ? new byte[] {1} : null);
            assertThat(reply.status()).as(method).isEqualTo(413);
            assertErrorShape(reply, "KEY_TOO_LARGE");
        }
        // The limit is on bytes, not characters: 513 two-byte characters are 1026 bytes.
        Reply wide = http.put("/v1/kv/" + "%C3%A9".repeat(513), "x");
        assertThat(wide.status()).isEqualTo(413);
        assertErrorShape(wide, "KEY_TOO_LARGE");
    }

    @Test
    void aVeryLongKeyIsStill413() {
        Reply reply = http.put("/v1/kv/" + "k".repeat(9_000), "x");
        assertThat(reply.status()).as("%s", reply).isIn(413, 414);
        assertThat(reply.json().get("code").asText()).isNotEqualTo("NOT_FOUND");
    }

    @Test
    void aNonUtf8KeyIs400() {
        for (String method : List.of("GET", "PUT", "DELETE")) {
            Reply reply = http.send(method, "/v1/kv/%FF%FE", method.equals("PUT") ? new byte[] {1} : null);
            assertThat(reply.status()).as(method).isEqualTo(400);
            assertErrorShape(reply, "BAD_KEY");
        }
        Reply overlong = http.put("/v1/kv/%C0%AF", "x"); // an overlong encoding of '/'
        assertThat(overlong.status()).isEqualTo(400);
        assertErrorShape(overlong, "BAD_KEY");
    }

    @ParameterizedTest
    @CsvSource({"/v1/kv/a%2", "/v1/kv/a%", "/v1/kv/a%zz", "/v1/kv/%G0", "/v1/kv/%"})
    void aBrokenPercentEscapeInTheKeyIs400(String target) throws Exception {
        try (RawHttp raw = raw()) {
            for (String method : List.of("GET", "PUT", "DELETE")) {
                RawHttp.Reply reply = raw.exchange(method, target, method.equals("PUT") ? new byte[] {1} : null);
                assertThat(reply.status()).as(method + " " + target).isEqualTo(400);
                JsonNode body = Http.JSON.readTree(reply.body());
                assertThat(body.get("code").asText()).isEqualTo("BAD_KEY");
                assertThat(body.get("error").asText()).contains("%");
            }
        }
    }

    @Test
    void aValueOverOneMibIs413AndOneMibIsFine() {
        byte[] max = new byte[1 << 20];
        max[max.length - 1] = 7;
        assertThat(http.put("/v1/kv/value-max", max).status()).isEqualTo(200);
        assertThat(http.get("/v1/kv/value-max").body()).isEqualTo(max);

        // The node may answer before it reads the body and close: send only the header, then read the answer.
        try (RawHttp raw = raw()) {
            raw.write(("PUT /v1/kv/value-over HTTP/1.1\r\nHost: x\r\nContent-Length: " + ((1 << 20) + 1)
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Reply reply = raw.read();
            assertThat(reply.status()).isEqualTo(413);
            JsonNode body = Http.JSON.readTree(reply.body());
            assertThat(body.get("code").asText()).isEqualTo("VALUE_TOO_LARGE");
            assertThat(body.get("error").asText()).isNotBlank();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(http.get("/v1/kv/value-over").status()).isEqualTo(404);
    }

    @Test
    void aValueOverOneMibSentWholeIs413() {
        // Through the ordinary client, which sends the whole body; the answer may race the upload.
        try {
            Reply reply = http.put("/v1/kv/value-over-2", new byte[(1 << 20) + 1]);
            assertThat(reply.status()).isEqualTo(413);
            assertErrorShape(reply, "VALUE_TOO_LARGE");
        } catch (java.io.UncheckedIOException resetWhileUploading) {
            // Acceptable: the node answered 413 and closed while the client was still sending.
        }
        assertThat(http.get("/v1/kv/value-over-2").status()).isEqualTo(404);
    }

    @Test
    void aValueOverOneMibWithExpectContinueIs413WithTheErrorShape() throws Exception {
        try (RawHttp raw = raw()) {
            raw.write(("PUT /v1/kv/value-over-3 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
                    + ((1 << 20) + 1) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Reply reply = raw.read();
            assertThat(reply.status()).isEqualTo(413);
            assertThat(reply.text()).as("%s", reply).isNotEmpty();
            JsonNode body = Http.JSON.readTree(reply.body());
            assertThat(body.get("code").asText()).isEqualTo("VALUE_TOO_LARGE");
        }
    }

    @Test
    void expectContinueWithinTheLimitWorks() throws Exception {
        try (RawHttp raw = raw()) {
            raw.write(("PUT /v1/kv/expect-ok HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Reply interim = raw.read();
            assertThat(interim.status()).isEqualTo(100);
            raw.write("ok".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(raw.read().status()).isEqualTo(200);
        }
        assertThat(http.get("/v1/kv/expect-ok").text()).isEqualTo("ok");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"abc", "\"-1\"", "-1", "\"\"", "\"1.5\"", "\"99999999999999999999\"",
            "\"abc\""})
    void aBadIfMatchIs400(String ifMatch) {
        Reply put = http.put("/v1/kv/bad-if-match", "x", "If-Match", ifMatch);
        assertThat(put.status()).as(ifMatch).isEqualTo(400);
        assertErrorShape(put, "BAD_IF_MATCH");
        Reply delete = http.delete("/v1/kv/bad-if-match", "If-Match", ifMatch);
        assertThat(delete.status()).as(ifMatch).isEqualTo(400);
        assertErrorShape(delete, "BAD_IF_MATCH");
        assertThat(http.get("/v1/kv/bad-if-match").status()).isEqualTo(404);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"\"3\"", "abc", "**"})
    void anIfNoneMatchOtherThanStarIs400(String ifNoneMatch) {
        Reply put = http.put("/v1/kv/bad-if-none-match", "x", "If-None-Match", ifNoneMatch);
        assertThat(put.status()).isEqualTo(400);
        assertErrorShape(put, "BAD_IF_NONE_MATCH");
        assertThat(http.get("/v1/kv/bad-if-none-match").status()).isEqualTo(404);
    }

    @Test
    void ifMatchWithIfNoneMatchIs400() {
        Reply put = http.put("/v1/kv/both-conditions", "x", "If-Match", "\"1\"", "If-None-Match", "*");
        assertThat(put.status()).isEqualTo(400);
        assertErrorShape(put, "BAD_CONDITION");
    }

    @Test
    void aBadIdempotencyKeyIs400() {
        Reply tooLong = http.put("/v1/kv/bad-idem", "x", "Idempotency-Key", "i".repeat(257));
        assertThat(tooLong.status()).isEqualTo(400);
        assertErrorShape(tooLong, "BAD_IDEMPOTENCY_KEY");
        assertThat(http.get("/v1/kv/bad-idem").status()).isEqualTo(404);
    }

    @ParameterizedTest
    @CsvSource({"/v1/kv/a?consistency=weird", "/v1/kv/a?consistency=", "/v1/kv?consistency=eventual"})
    void aBadConsistencyIs400(String target) {
        Reply reply = http.get(target);
        assertThat(reply.status()).isEqualTo(400);
        assertErrorShape(reply, "BAD_CONSISTENCY");
    }

    @ParameterizedTest
    @CsvSource({"/v1/kv/a?min-slot=x", "/v1/kv/a?min-slot=-1", "/v1/kv/a?min-slot=1.5", "/v1/kv/a?min-slot=",
            "/v1/kv/a?min-slot=99999999999999999999", "/v1/kv?min-slot=abc"})
    void aBadMinSlotIs400(String target) {
        Reply reply = http.get(target);
        assertThat(reply.status()).isEqualTo(400);
        assertErrorShape(reply, "BAD_MIN_SLOT");
    }

    @ParameterizedTest
    @CsvSource({"0", "-1", "abc", "10001", "1.5", "99999999999"})
    void aBadLimitIs400(String limit) {
        Reply reply = http.get("/v1/kv?prefix=a&limit=" + limit);
        assertThat(reply.status()).isEqualTo(400);
        assertErrorShape(reply, "BAD_LIMIT");
    }

    @Test
    void theLimitsOfLimitAreAccepted() {
        assertThat(http.get("/v1/kv?limit=1").status()).isEqualTo(200);
        assertThat(http.get("/v1/kv?limit=10000").status()).isEqualTo(200);
    }

    @ParameterizedTest
    @CsvSource({"/v1/log/abc", "/v1/log/-1", "/v1/log/", "/v1/log/1.5"})
    void aBadLogSlotIs400(String target) {
        Reply reply = http.get(target);
        assertThat(reply.status()).isEqualTo(400);
        assertErrorShape(reply, "BAD_SLOT");
    }

    @ParameterizedTest
    @CsvSource({"/nope", "/v1", "/v1/", "/v1/kvx", "/v1/statusx", "/v2/kv/a", "/metrics/x", "/v1/status/"})
    void anUnknownPathIs404(String target) {
        for (String method : List.of("GET", "PUT", "DELETE", "POST")) {
            Reply reply = http.send(method, target, method.equals("GET") || method.equals("DELETE") ? null
                    : new byte[] {1});
            assertThat(reply.status()).as(method + " " + target).isEqualTo(404);
            assertErrorShape(reply, "NOT_FOUND");
        }
    }

    @ParameterizedTest
    @CsvSource({"/, POST", "/, PUT", "/, DELETE", "/metrics, POST", "/metrics, PUT", "/metrics, DELETE",
            "/v1/status, POST", "/v1/status, PUT", "/v1/status, DELETE", "/v1/kv, POST", "/v1/kv, PUT",
            "/v1/kv, DELETE", "/v1/log/0, POST", "/v1/log/0, PUT", "/v1/log/0, DELETE", "/v1/kv/a, POST",
            "/v1/kv/a, PATCH", "/v1/kv/a, OPTIONS", "/v1/status, PATCH"})
    void aWrongMethodIs405(String target, String method) {
        Reply reply = http.send(method, target, method.equals("DELETE") || method.equals("OPTIONS") ? null
                : new byte[] {1});
        assertThat(reply.status()).as(method + " " + target).isEqualTo(405);
        assertErrorShape(reply, "METHOD_NOT_ALLOWED");
        assertThat(http.get("/v1/kv/a").status()).isEqualTo(404);
    }

    @Test
    void garbageOnTheHttpPortClosesThatConnectionOnly() throws Exception {
        try (RawHttp raw = raw()) {
            raw.write(new byte[] {0, 1, 2, 3, (byte) 0xFF, '\r', '\n', '\r', '\n'});
            // Whatever it answers (400 or nothing), it must not hang forever and must not take the node down.
            try {
                RawHttp.Reply reply = raw.read();
                assertThat(reply.status()).isBetween(400, 499);
            } catch (java.io.IOException closed) {
                // closing is fine too
            }
        }
    }
}
