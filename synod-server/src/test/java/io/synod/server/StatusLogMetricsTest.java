package io.synod.server;

import static io.synod.server.KvApiTest.assertErrorShape;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.synod.server.Http.Reply;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /v1/status}, {@code /v1/log/{slot}} and {@code /metrics} on one real node. */
class StatusLogMetricsTest extends OneNodeTest {
    @Test
    void statusHasEveryFieldOfTheContract() {
        long slot = http.putOk("status-a", "x");
        Reply reply = http.get("/v1/status");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        JsonNode status = reply.json();
        assertThat(status.get("id").asInt()).isZero();
        assertThat(status.get("role").asText()).isIn("master", "follower", "candidate");
        assertThat(status.has("master")).isTrue();
        assertThat(status.get("master").isNull() || status.get("master").isInt()).isTrue();
        assertThat(status.has("masterHttp")).isTrue();
        assertThat(status.get("masterHttp").isNull() || status.get("masterHttp").isTextual()).isTrue();
        JsonNode lease = status.get("lease");
        assertThat(lease.isObject()).isTrue();
        assertThat(lease.has("holder")).isTrue();
        assertThat(lease.get("remainingMs").isNumber()).isTrue();
        assertThat(status.get("election").asText()).isEqualTo("none");
        assertThat(status.get("ballot").isTextual()).isTrue();
        JsonNode slots = status.get("slots");
        long firstRetained = slots.get("firstRetained").asLong();
        long committed = slots.get("committed").asLong();
        long applied = slots.get("applied").asLong();
        assertThat(firstRetained).isNotNegative().isLessThanOrEqualTo(applied);
        assertThat(applied).isLessThanOrEqualTo(committed);
        // "applied" is the first slot not applied (glossary), so the write's slot is below it.
        assertThat(applied).isGreaterThan(slot);
        assertThat(status.get("peers").isArray()).isTrue();
        assertThat(status.get("peers")).as("a one-node cluster has no peers").isEmpty();
    }

    @Test
    void statusFollowsTheLog() {
        long before = http.status().get("slots").get("applied").asLong();
        long slot = http.putOk("status-b", "x");
        assertThat(slot).isGreaterThanOrEqualTo(before);
        long after = http.status().get("slots").get("applied").asLong();
        assertThat(after).isGreaterThan(slot);
    }

    @Test
    void logAnswersAChosenSlotsCommand() {
        long put = http.putOk("log-a", "log value");
        Reply reply = http.get("/v1/log/" + put);
        assertThat(reply.status()).isEqualTo(200);
        JsonNode body = reply.json();
        assertThat(body.get("slot").asLong()).isEqualTo(put);
        JsonNode command = body.get("command");
        assertThat(command.isObject()).isTrue();
        assertThat(command.get("type").asText()).isEqualTo("put");
        assertThat(command.get("key").asText()).isEqualTo("log-a");
        assertThat(command.get("value").asText()).isEqualTo("log value");

        Reply conditional = http.put("/v1/kv/log-a", "v2", "If-Match", "\"" + put + "\"", "Idempotency-Key", "log-i");
        long cas = conditional.json().get("slot").asLong();
        JsonNode casCommand = http.get("/v1/log/" + cas).json().get("command");
        assertThat(casCommand.get("ifMatch").asLong()).isEqualTo(put);
        assertThat(casCommand.get("idempotencyKey").asText()).isEqualTo("log-i");

        long deleted = http.delete("/v1/kv/log-a").json().get("slot").asLong();
        JsonNode deleteCommand = http.get("/v1/log/" + deleted).json().get("command");
        assertThat(deleteCommand.get("type").asText()).isEqualTo("delete");
        assertThat(deleteCommand.get("key").asText()).isEqualTo("log-a");
    }

    @Test
    void everySlotBelowTheCommitIndexIsInTheLog() {
        http.putOk("log-b", "x");
        long committed = http.status().get("slots").get("committed").asLong();
        for (long slot = 0; slot < committed; slot++) {
            Reply reply = http.get("/v1/log/" + slot);
            assertThat(reply.status()).as("slot %d", slot).isEqualTo(200);
            assertThat(reply.json().get("slot").asLong()).isEqualTo(slot);
            assertThat(reply.json().get("command").get("type").isTextual()).isTrue();
        }
    }

    @Test
    void aSlotNotChosenYetIs404() {
        long committed = http.status().get("slots").get("committed").asLong();
        for (long slot : new long[] {committed + 1_000, Long.MAX_VALUE}) {
            Reply reply = http.get("/v1/log/" + slot);
            assertThat(reply.status()).as("slot %d", slot).isEqualTo(404);
            assertErrorShape(reply, "NOT_CHOSEN");
        }
    }

    @Test
    void metricsArePrometheusText() {
        http.putOk("metrics-a", "x");
        http.get("/v1/kv/metrics-a");
        Reply reply = http.get("/metrics");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        String text = reply.text();
        assertThat(text).contains("synod_proposals", "synod_fsync", "synod_http_requests");
        assertThat(text).contains("# TYPE ");
        Pattern sample = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? -?([0-9.eE+-]+|NaN|\\+Inf|-Inf)");
        for (String line : text.lines().toList()) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            assertThat(line).as("a Prometheus sample line").matches(sample);
        }
        assertThat(text).as("requests are labelled by route, not by key").contains("route=\"/v1/kv/{key}\"")
                .doesNotContain("metrics-a");
        assertThat(sampleValue(text, "synod_proposals_total")).isGreaterThan(0);
        assertThat(sampleValue(text, "synod_fsync_seconds_count")).isGreaterThan(0);
    }

    @Test
    void theProposalCounterCountsWrites() {
        double before = sampleValue(http.get("/metrics").text(), "synod_proposals_total");
        http.putOk("metrics-b", "1");
        http.putOk("metrics-b", "2");
        double after = sampleValue(http.get("/metrics").text(), "synod_proposals_total");
        assertThat(after - before).isGreaterThanOrEqualTo(2);
    }

    /** The value of the first sample whose name is {@code name} (with any labels). */
    static double sampleValue(String scrape, String name) {
        for (String line : scrape.lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sample " + name + " in\n" + scrape);
    }
}
