package io.synod.server;

import static io.synod.server.KvApiTest.assertErrorShape;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.synod.server.Http.Reply;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /v1/status}, {@code /v1/log/{slot}} and {@code /metrics} on one real node. */
class StatusLogMetricsTest extends OneNodeTest {
    @Test
    void statusHasEveryFieldOfTheContract() {
        long slot = http.putSlot("status-a", "x");
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
        assertThat(status.get("majorityReachable").isBoolean()).isTrue();
        assertThat(status.get("majorityReachable").asBoolean()).as("one node is a majority of one").isTrue();
    }

    @Test
    void statusFollowsTheLog() {
        long before = http.status().get("slots").get("applied").asLong();
        long slot = http.putSlot("status-b", "x");
        assertThat(slot).isGreaterThanOrEqualTo(before);
        long after = http.status().get("slots").get("applied").asLong();
        assertThat(after).isGreaterThan(slot);
    }

    @Test
    void logAnswersAChosenSlotsCommand() {
        Http.Written put = http.putWritten("log-a", "log value");
        Reply reply = http.get("/v1/log/" + put.slot());
        assertThat(reply.status()).isEqualTo(200);
        JsonNode body = reply.json();
        assertThat(body.get("slot").asLong()).isEqualTo(put.slot());
        JsonNode command = body.get("command");
        assertThat(command.isObject()).isTrue();
        assertThat(command.get("type").asText()).isEqualTo("put");
        assertThat(command.get("key").asText()).isEqualTo("log-a");
        assertThat(command.get("value").asText()).isEqualTo("log value");

        Reply conditional = http.put("/v1/kv/log-a", "v2", "If-Match", "\"" + put.version() + "\"",
                "Idempotency-Key", "log-i");
        long cas = conditional.json().get("slot").asLong();
        JsonNode casCommand = http.get("/v1/log/" + cas).json().get("command");
        assertThat(casCommand.get("ifMatch").asLong()).as("If-Match names a version").isEqualTo(put.version());
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
            assertThat(reply.json().get("applied").asBoolean()).as("slot %d is below the applied slot", slot)
                    .isEqualTo(slot < http.status().get("slots").get("applied").asLong());
        }
    }

    @Test
    void theLogShowsEachAppliedCommandsRevisionAndItIsTheVersionThePutAnswered() {
        // Proves that the log and the API agree on versions: an applied put's revision in the log is its version.
        for (int i = 0; i < 3; i++) {
            Http.Written put = http.putWritten("log-rev", "r" + i);
            JsonNode body = http.get("/v1/log/" + put.slot()).json();
            assertThat(body.get("applied").asBoolean()).as("%s", body).isTrue();
            JsonNode command = body.get("command");
            JsonNode ours = command;
            if (command.get("type").asText().equals("batch")) {
                ours = null;
                for (JsonNode one : command.get("commands")) {
                    assertThat(one.get("revision").isIntegralNumber()).as("every command has a revision: %s", body)
                            .isTrue();
                    if (one.get("type").asText().equals("put") && one.get("value").asText().equals("r" + i)) {
                        ours = one;
                    }
                }
            }
            assertThat(ours).as("%s", body).isNotNull();
            assertThat(ours.get("key").asText()).isEqualTo("log-rev");
            assertThat(ours.get("revision").asLong()).as("%s", body).isEqualTo(put.version());
            assertThat(http.get("/v1/kv/log-rev").etag()).isEqualTo(put.version());
        }
        // A linearizable read writes nothing to the log (a lease read or ReadIndex): the next put is the next revision
        // and the next slot.
        Http.Written before = http.putWritten("log-rev", "before the read");
        assertThat(http.get("/v1/kv/log-rev").status()).isEqualTo(200);
        assertThat(http.get("/v1/kv/log-rev?consistency=quorum").status()).isEqualTo(200);
        Http.Written after = http.putWritten("log-rev", "after the read");
        assertThat(after.version()).as("no revision between: reads take none").isEqualTo(before.version() + 1);
        assertThat(after.slot()).as("no slot between: reads take none").isEqualTo(before.slot() + 1);
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

    private static final Pattern GAUGE = Pattern.compile("(synod_slots_committed|synod_slots_applied"
            + "|synod_slots_first_retained|synod_pending_commands|synod_disk_full|synod_peer_connected)(\\{.*\\})? (.*)");

    @Test
    void gaugesReadNumbersAfterGarbageCollection() throws Exception {
        // Proves that the gauges are strongly held: after collections they still read finite numbers, not NaN.
        http.putOk("gc-a", "x");
        String text = scrapeAfterGc(http);
        assertThat(finiteGauges(text)).as("the gauges of a node without peers").contains("synod_slots_committed",
                "synod_slots_applied", "synod_slots_first_retained", "synod_pending_commands", "synod_disk_full");
        assertThat(sampleValue(text, "synod_slots_applied")).as("and the right number").isPositive();
    }

    /** Collects garbage a few times, then scrapes. */
    static String scrapeAfterGc(Http http) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return http.get("/metrics").text();
    }

    /** Asserts that every sample of the status and peer gauges is a finite number; returns the gauges seen. */
    static java.util.Set<String> finiteGauges(String scrape) {
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (String line : scrape.lines().toList()) {
            var matcher = GAUGE.matcher(line);
            if (line.startsWith("#") || !matcher.matches()) {
                continue;
            }
            seen.add(matcher.group(1));
            double value = Double.parseDouble(matcher.group(3));
            assertThat(Double.isFinite(value)).as("a finite number: %s", line).isTrue();
        }
        return seen;
    }

    @Test
    void everySynodMetricFamilyHasHelpText() {
        // Proves that every synod_ family in a scrape says what it is in a non-empty # HELP line.
        http.putOk("help-a", "x");
        http.get("/v1/kv/help-a");
        http.get("/v1/kv/help-none");
        String text = http.get("/metrics").text();
        java.util.Map<String, String> help = new java.util.HashMap<>();
        java.util.List<String> families = new java.util.ArrayList<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring("# HELP ".length()).split(" ", 2);
                help.put(parts[0], parts.length > 1 ? parts[1].trim() : "");
            } else if (line.startsWith("# TYPE ")) {
                families.add(line.substring("# TYPE ".length()).split(" ")[0]);
            }
        }
        assertThat(families).as("%s", text).contains("synod_proposals_total", "synod_slots_applied");
        for (String family : families) {
            if (family.startsWith("synod_")) {
                assertThat(help.get(family)).as("# HELP of %s", family).isNotBlank();
            }
        }
    }

    @Test
    void httpLatencyIsLabelledByMethodRouteAndStatus() {
        // Proves that PUTs and GETs of a key are separate series of synod_http_requests, by method, route and status.
        http.putOk("method-a", "x");
        http.get("/v1/kv/method-a");
        String text = http.get("/metrics").text();
        java.util.List<String> counts = text.lines()
                .filter(line -> line.startsWith("synod_http_requests_seconds_count{"))
                .filter(line -> line.contains("route=\"/v1/kv/{key}\"")).toList();
        assertThat(counts).as("%s", text)
                .anySatisfy(line -> assertThat(line).contains("method=\"PUT\"", "status=\"200\""))
                .anySatisfy(line -> assertThat(line).contains("method=\"GET\"", "status=\"200\""));
        for (String line : counts) {
            assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).as(line).isPositive();
        }
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
