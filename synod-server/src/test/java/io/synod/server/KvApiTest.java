package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.synod.server.Http.Reply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The key-value routes of DESIGN.md §1 on one real node: answers, versions, conditions, idempotency, listing. */
class KvApiTest extends OneNodeTest {
    @Test
    void putAnswersItsSlotAndVersionAndGetAnswersTheRawValueWithVersionAndAppliedSlot() {
        Reply put = http.put("/v1/kv/crud-a", "hello");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        JsonNode body = put.json();
        long slot = body.get("slot").asLong();
        long version = body.get("version").asLong();
        assertThat(slot).isNotNegative();
        assertThat(version).as("revisions start at 1").isPositive();

        Reply get = http.get("/v1/kv/crud-a");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.text()).isEqualTo("hello");
        assertThat(get.etag()).as("ETag is the version the PUT answered").isEqualTo(version);
        assertThat(get.slotHeader()).as("X-Synod-Slot is the applied slot").isGreaterThanOrEqualTo(slot);

        Http.Written second = http.putWritten("crud-a", "hello again");
        assertThat(second.version()).as("versions strictly increase").isGreaterThan(version);
        assertThat(second.slot()).isGreaterThan(slot);
        Reply again = http.get("/v1/kv/crud-a");
        assertThat(again.text()).isEqualTo("hello again");
        assertThat(again.etag()).isEqualTo(second.version());
    }

    @Test
    void valuesAreRawBytesBothWays() {
        byte[] value = {0, (byte) 0xFF, (byte) 0xFE, 10, 13, 0};
        assertThat(http.put("/v1/kv/binary-value", value).status()).isEqualTo(200);
        Reply get = http.get("/v1/kv/binary-value");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.body()).containsExactly(value);

        assertThat(http.put("/v1/kv/empty-value", new byte[0]).status()).isEqualTo(200);
        Reply empty = http.get("/v1/kv/empty-value");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.body()).isEmpty();
    }

    @Test
    void keysArePercentDecodedUtf8() {
        // "ключ/1 2" : Cyrillic, a slash and an encoded space all belong to the key.
        String encoded = "%D0%BA%D0%BB%D1%8E%D1%87/1%202";
        assertThat(http.put("/v1/kv/" + encoded, "unicode").status()).isEqualTo(200);
        assertThat(http.get("/v1/kv/" + encoded).text()).isEqualTo("unicode");
        JsonNode items = http.get("/v1/kv?prefix=" + "%D0%BA%D0%BB").json().get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("key").asText()).isEqualTo("ключ/1 2");
    }

    @Test
    void anAbsentKeyIs404WithTheErrorShape() {
        Reply get = http.get("/v1/kv/never-written");
        assertThat(get.status()).isEqualTo(404);
        assertErrorShape(get, "NOT_FOUND");
        assertThat(get.header("X-Synod-Slot")).isPresent();
    }

    @Test
    void deleteAnswersSlotVersionAndWhetherTheKeyExisted() {
        long put = http.putOk("del-a", "x");
        Reply first = http.delete("/v1/kv/del-a");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("deleted").asBoolean()).isTrue();
        assertThat(first.json().get("slot").asLong()).isNotNegative();
        assertThat(first.json().get("version").asLong()).as("the delete's own revision").isGreaterThan(put);
        assertThat(http.get("/v1/kv/del-a").status()).isEqualTo(404);

        Reply second = http.delete("/v1/kv/del-a");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("deleted").isBoolean()).isTrue();
        assertThat(second.json().get("deleted").asBoolean()).isFalse();
        assertThat(second.json().get("slot").asLong()).isGreaterThan(first.json().get("slot").asLong());
        assertThat(second.json().get("version").asLong()).as("a delete of an absent key takes a revision too")
                .isGreaterThan(first.json().get("version").asLong());
    }

    @Test
    void ifMatchAppliesOnlyOnTheCurrentVersion() {
        long v1 = http.putOk("cas-a", "one");
        Reply ok = http.put("/v1/kv/cas-a", "two", "If-Match", "\"" + v1 + "\"");
        assertThat(ok.status()).isEqualTo(200);
        long v2 = ok.json().get("version").asLong();
        assertThat(v2).isGreaterThan(v1);

        Reply stale = http.put("/v1/kv/cas-a", "three", "If-Match", "\"" + v1 + "\"");
        assertThat(stale.status()).isEqualTo(412);
        assertErrorShape(stale, "PRECONDITION_FAILED");
        assertThat(stale.etag()).as("a 412 names the current version").isEqualTo(v2);
        Reply get = http.get("/v1/kv/cas-a");
        assertThat(get.text()).isEqualTo("two");
        assertThat(get.etag()).isEqualTo(v2);

        Reply absent = http.put("/v1/kv/cas-never", "x", "If-Match", "\"" + v2 + "\"");
        assertThat(absent.status()).isEqualTo(412);
        assertErrorShape(absent, "PRECONDITION_FAILED");
        assertThat(http.get("/v1/kv/cas-never").status()).isEqualTo(404);
    }

    @Test
    void ifMatchOnDelete() {
        long v = http.putOk("cas-del", "x");
        Reply wrong = http.delete("/v1/kv/cas-del", "If-Match", "\"" + (v + 1000) + "\"");
        assertThat(wrong.status()).isEqualTo(412);
        assertErrorShape(wrong, "PRECONDITION_FAILED");
        assertThat(http.get("/v1/kv/cas-del").status()).isEqualTo(200);
        Reply right = http.delete("/v1/kv/cas-del", "If-Match", "\"" + v + "\"");
        assertThat(right.status()).isEqualTo(200);
        assertThat(right.json().get("deleted").asBoolean()).isTrue();
        assertThat(http.get("/v1/kv/cas-del").status()).isEqualTo(404);
    }

    @Test
    void ifNoneMatchStarCreatesOnly() {
        Reply created = http.put("/v1/kv/create-a", "first", "If-None-Match", "*");
        assertThat(created.status()).isEqualTo(200);
        long version = created.json().get("version").asLong();

        Reply again = http.put("/v1/kv/create-a", "second", "If-None-Match", "*");
        assertThat(again.status()).isEqualTo(412);
        assertErrorShape(again, "PRECONDITION_FAILED");
        assertThat(again.etag()).isEqualTo(version);
        assertThat(http.get("/v1/kv/create-a").text()).isEqualTo("first");

        http.delete("/v1/kv/create-a");
        assertThat(http.put("/v1/kv/create-a", "third", "If-None-Match", "*").status())
                .as("create-only works again once the key is deleted").isEqualTo(200);
        assertThat(http.get("/v1/kv/create-a").text()).isEqualTo("third");
    }

    @Test
    void aRetriedPutWithTheSameIdempotencyKeyIsAppliedOnce() {
        Reply first = http.put("/v1/kv/idem-a", "v1", "Idempotency-Key", "idem-a-1");
        assertThat(first.status()).isEqualTo(200);
        long version = http.get("/v1/kv/idem-a").etag();
        assertThat(version).isEqualTo(first.json().get("version").asLong());

        // Someone else writes in between; the retry must not overwrite that write.
        long other = http.putOk("idem-a", "someone else");
        Reply retry = http.put("/v1/kv/idem-a", "v1", "Idempotency-Key", "idem-a-1");
        assertThat(retry.status()).isEqualTo(200);
        Reply get = http.get("/v1/kv/idem-a");
        assertThat(get.text()).isEqualTo("someone else");
        assertThat(get.etag()).as("the retry did not move the version").isEqualTo(other);

        // Another value under the same idempotency key is another request: refused, and not applied either.
        Reply sameKeyNewValue = http.put("/v1/kv/idem-a", "v-other", "Idempotency-Key", "idem-a-1");
        assertThat(sameKeyNewValue.status()).isEqualTo(422);
        assertErrorShape(sameKeyNewValue, "IDEMPOTENCY_KEY_REUSED");
        assertThat(http.get("/v1/kv/idem-a").text()).isEqualTo("someone else");
        assertThat(http.get("/v1/kv/idem-a").etag()).isEqualTo(other);

        // Another idempotency key is another write.
        Reply fresh = http.put("/v1/kv/idem-a", "v2", "Idempotency-Key", "idem-a-2");
        assertThat(fresh.status()).isEqualTo(200);
        assertThat(http.get("/v1/kv/idem-a").text()).isEqualTo("v2");
    }

    @Test
    void aRetriedDeleteWithTheSameIdempotencyKeyAnswersDeletedTrueAgain() {
        http.putOk("idem-del", "x");
        Reply first = http.delete("/v1/kv/idem-del", "Idempotency-Key", "idem-del-1");
        assertThat(first.json().get("deleted").asBoolean()).isTrue();
        Reply retry = http.delete("/v1/kv/idem-del", "Idempotency-Key", "idem-del-1");
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().get("deleted").asBoolean()).as("the retry answers as the first time").isTrue();
    }

    @Test
    void aRetriedWriteAnswersExactlyAsTheFirstTime() {
        Reply first = http.put("/v1/kv/idem-b", "v1", "Idempotency-Key", "idem-b-1");
        assertThat(first.status()).isEqualTo(200);
        Reply retry = http.put("/v1/kv/idem-b", "v1", "Idempotency-Key", "idem-b-1");
        assertThat(retry.status()).isEqualTo(200);
        assertThat(http.get("/v1/kv/idem-b").etag()).isEqualTo(first.json().get("version").asLong());
        assertThat(retry.text()).as("DESIGN.md: a retried write answers as the first time").isEqualTo(first.text());

        http.putOk("idem-c", "x");
        Reply firstDelete = http.delete("/v1/kv/idem-c", "Idempotency-Key", "idem-c-1");
        Reply retriedDelete = http.delete("/v1/kv/idem-c", "Idempotency-Key", "idem-c-1");
        assertThat(retriedDelete.text()).isEqualTo(firstDelete.text());
    }

    @Test
    void listReturnsItemsInKeyOrderUpToTheLimitWithTheAppliedSlot() {
        List<String> keys = List.of("list/b", "list/a", "list/c/1", "list/c", "listx", "lis");
        long last = -1;
        for (String key : keys) {
            last = http.putSlot(key, "value of " + key);
        }
        Reply all = http.get("/v1/kv?prefix=list/");
        assertThat(all.status()).isEqualTo(200);
        JsonNode body = all.json();
        assertThat(body.get("slot").asLong()).isGreaterThanOrEqualTo(last);
        assertThat(keysOf(body)).containsExactly("list/a", "list/b", "list/c", "list/c/1");
        for (JsonNode item : body.get("items")) {
            assertThat(item.get("value").asText()).isEqualTo("value of " + item.get("key").asText());
            assertThat(item.get("version").asLong()).isEqualTo(http.get("/v1/kv/" + item.get("key").asText()).etag());
        }

        assertThat(keysOf(http.get("/v1/kv?prefix=list/&limit=2").json())).containsExactly("list/a", "list/b");
        assertThat(keysOf(http.get("/v1/kv?prefix=list&limit=10").json()))
                .containsExactly("list/a", "list/b", "list/c", "list/c/1", "listx");
        assertThat(keysOf(http.get("/v1/kv?prefix=nothing-here").json())).isEmpty();
        assertThat(keysOf(http.get("/v1/kv?prefix=list/&limit=1").json())).containsExactly("list/a");
    }

    @Test
    void listWithoutPrefixListsEverything() {
        http.putOk("all-1", "x");
        JsonNode body = http.get("/v1/kv").json();
        assertThat(keysOf(body)).contains("all-1");
        List<String> keys = keysOf(body);
        assertThat(keys).isSortedAccordingTo((a, b) -> java.util.Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void listShowsNonUtf8ValuesInBase64() {
        byte[] value = {(byte) 0xFF, 0, 1};
        assertThat(http.put("/v1/kv/b64/k", value).status()).isEqualTo(200);
        JsonNode item = http.get("/v1/kv?prefix=b64/").json().get("items").get(0);
        assertThat(item.get("key").asText()).isEqualTo("b64/k");
        assertThat(item.has("value")).isFalse();
        assertThat(java.util.Base64.getDecoder().decode(item.get("valueBase64").asText())).containsExactly(value);
    }

    @Test
    void aListPrefixWithAnEncodedPercentFindsTheKey() {
        assertThat(http.put("/v1/kv/100%25", "percent").status()).isEqualTo(200);
        assertThat(http.get("/v1/kv/100%25").text()).isEqualTo("percent");
        Reply list = http.get("/v1/kv?prefix=100%25");
        assertThat(list.status()).as("%s", list).isEqualTo(200);
        assertThat(keysOf(list.json())).containsExactly("100%");
    }

    @Test
    void everyConsistencyAnswersTheLatestWriteOnOneNode() {
        long version = http.putOk("consistency-a", "c1");
        for (String consistency : List.of("linearizable", "quorum", "stale")) {
            Reply get = http.get("/v1/kv/consistency-a?consistency=" + consistency);
            assertThat(get.status()).as(consistency).isEqualTo(200);
            assertThat(get.text()).isEqualTo("c1");
            assertThat(get.etag()).isEqualTo(version);
            assertThat(get.header("X-Synod-Stale")).as("only a stale read says it is stale: %s", consistency)
                    .isEqualTo(consistency.equals("stale") ? java.util.Optional.of("true")
                            : java.util.Optional.empty());
            Reply list = http.get("/v1/kv?prefix=consistency-&consistency=" + consistency);
            assertThat(list.status()).as(consistency).isEqualTo(200);
            assertThat(keysOf(list.json())).containsExactly("consistency-a");
        }
        assertThat(http.get("/v1/kv/consistency-none?consistency=stale").status()).isEqualTo(404);
    }

    @Test
    void minSlotAnswersOnceTheSlotIsApplied() {
        long slot = http.putSlot("min-slot-a", "m");
        Reply get = http.get("/v1/kv/min-slot-a?min-slot=" + slot);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.text()).isEqualTo("m");
        assertThat(get.slotHeader()).isGreaterThanOrEqualTo(slot);
        Reply stale = http.get("/v1/kv/min-slot-a?consistency=stale&min-slot=0");
        assertThat(stale.status()).isEqualTo(200);
        Reply list = http.get("/v1/kv?prefix=min-slot-&min-slot=" + slot);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("slot").asLong()).isGreaterThanOrEqualTo(slot);
    }

    @Test
    void aMinSlotAheadOfTheLogIsAnsweredOnceAWriteReachesIt() throws Exception {
        long slot = http.putSlot("min-slot-b", "before");
        long ahead = slot + 3;
        var pending = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> http.get("/v1/kv/min-slot-b?consistency=stale&min-slot=" + ahead));
        long written = slot;
        while (written < ahead) {
            written = http.putSlot("min-slot-b", "after-" + written);
        }
        Reply reply = pending.get(30, TimeUnit.SECONDS);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.slotHeader()).isGreaterThanOrEqualTo(ahead);
        assertThat(reply.text()).startsWith("after-");
    }

    @Test
    void concurrentPutsOfOneKeyInOneSlotGetDifferentVersionsAndIfMatchOnTheOlderIs412() throws Exception {
        // Proves that a slot is not a version: two writes of one key batched into one slot get different versions,
        // the later one wins, and a conditional write on the earlier version is refused with the later one's ETag.
        int writers = 24;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 40; round++) {
                String key = "batch-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Reply>> replies = new ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    String value = "w" + i;
                    replies.add(pool.submit(() -> {
                        go.await();
                        return http.put("/v1/kv/" + key, value);
                    }));
                }
                go.countDown();
                List<Answered> answers = new ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    Reply reply = replies.get(i).get(30, TimeUnit.SECONDS);
                    assertThat(reply.status()).as("%s", reply).isEqualTo(200);
                    answers.add(new Answered(reply.json().get("slot").asLong(), reply.json().get("version").asLong(),
                            "w" + i));
                }
                assertThat(answers.stream().map(Answered::version).distinct().count())
                        .as("no two writes share a version: %s", answers).isEqualTo(writers);
                answers.sort(java.util.Comparator.comparingLong(Answered::version));
                Answered newer = answers.get(writers - 1);
                Answered older = answers.get(writers - 2);
                if (older.slot() != newer.slot()) {
                    continue; // the last two writes went to different slots this time; try again
                }

                JsonNode log = http.get("/v1/log/" + newer.slot()).json();
                assertThat(log.get("applied").asBoolean()).isTrue();
                JsonNode batch = log.get("command");
                assertThat(batch.get("type").asText()).as("%s", log).isEqualTo("batch");
                Map<Long, String> valueByRevision = new java.util.HashMap<>();
                for (JsonNode command : batch.get("commands")) {
                    if (command.get("type").asText().equals("put") && command.get("key").asText().equals(key)) {
                        valueByRevision.put(command.get("revision").asLong(), command.get("value").asText());
                    }
                }
                assertThat(valueByRevision).as("the batch held both writes, each at its own revision: %s", log)
                        .containsEntry(older.version(), older.value())
                        .containsEntry(newer.version(), newer.value());
                assertThat(older.version()).as("one slot, two versions, so a slot is not a version")
                        .isNotEqualTo(newer.version());

                Reply current = http.get("/v1/kv/" + key);
                assertThat(current.text()).isEqualTo(newer.value());
                assertThat(current.etag()).isEqualTo(newer.version());
                Reply stale = http.put("/v1/kv/" + key, "lost update", "If-Match", "\"" + older.version() + "\"");
                assertThat(stale.status()).isEqualTo(412);
                assertErrorShape(stale, "PRECONDITION_FAILED");
                assertThat(stale.etag()).as("a 412 names the newer version").isEqualTo(newer.version());
                assertThat(http.get("/v1/kv/" + key).text()).isEqualTo(newer.value());
                Reply fresh = http.put("/v1/kv/" + key, "next", "If-Match", "\"" + newer.version() + "\"");
                assertThat(fresh.status()).as("If-Match on the newer version applies").isEqualTo(200);
                return;
            }
            throw new AssertionError("in 40 rounds of " + writers + " concurrent PUTs, the last two never shared "
                    + "a slot");
        } finally {
            pool.shutdownNow();
        }
    }

    /** One PUT's answer and the value it wrote. */
    private record Answered(long slot, long version, String value) {}

    @Test
    void aDeleteAndReCreateNeverReuseAVersion() {
        // Proves that versions are revisions: a delete takes its own, and a re-created key gets a new one, so an
        // If-Match on the key's first life can never match its second.
        long first = http.putOk("recreate-a", "first life");
        Reply delete = http.delete("/v1/kv/recreate-a");
        assertThat(delete.status()).isEqualTo(200);
        long deleted = delete.json().get("version").asLong();
        Reply recreate = http.put("/v1/kv/recreate-a", "second life", "If-None-Match", "*");
        assertThat(recreate.status()).isEqualTo(200);
        long second = recreate.json().get("version").asLong();
        assertThat(first).isLessThan(deleted);
        assertThat(deleted).isLessThan(second);
        assertThat(http.get("/v1/kv/recreate-a").etag()).isEqualTo(second);

        for (long old : new long[] {first, deleted}) {
            Reply put = http.put("/v1/kv/recreate-a", "stale", "If-Match", "\"" + old + "\"");
            assertThat(put.status()).as("If-Match %d", old).isEqualTo(412);
            assertThat(put.etag()).isEqualTo(second);
            Reply del = http.delete("/v1/kv/recreate-a", "If-Match", "\"" + old + "\"");
            assertThat(del.status()).as("If-Match %d", old).isEqualTo(412);
        }
        assertThat(http.get("/v1/kv/recreate-a").text()).isEqualTo("second life");
    }

    @Test
    void putAndDeleteAnswersHaveExactlyTheContractsFields() {
        // Proves the answer shapes of DESIGN.md §1: PUT {"slot","version"}, DELETE {"slot","version","deleted"}.
        List<Reply> puts = List.of(http.put("/v1/kv/shape-a", "x"),
                http.put("/v1/kv/shape-b", "x", "If-None-Match", "*"),
                http.put("/v1/kv/shape-a", "y", "If-Match", "\"" + http.get("/v1/kv/shape-a").etag() + "\""),
                http.put("/v1/kv/shape-c", "x", "Idempotency-Key", "shape-c-1"));
        for (Reply put : puts) {
            assertThat(put.status()).as("%s", put).isEqualTo(200);
            JsonNode body = put.json();
            assertThat(fieldNames(body)).as("%s", body).containsExactly("slot", "version");
            assertThat(body.get("slot").isIntegralNumber()).isTrue();
            assertThat(body.get("version").isIntegralNumber()).isTrue();
        }
        for (Reply delete : List.of(http.delete("/v1/kv/shape-a"), http.delete("/v1/kv/shape-never"),
                http.delete("/v1/kv/shape-b", "If-Match", "\"" + http.get("/v1/kv/shape-b").etag() + "\""),
                http.delete("/v1/kv/shape-c", "Idempotency-Key", "shape-c-2"))) {
            assertThat(delete.status()).as("%s", delete).isEqualTo(200);
            JsonNode body = delete.json();
            assertThat(fieldNames(body)).as("%s", body).containsExactly("slot", "version", "deleted");
            assertThat(body.get("slot").isIntegralNumber()).isTrue();
            assertThat(body.get("version").isIntegralNumber()).isTrue();
            assertThat(body.get("deleted").isBoolean()).isTrue();
        }
    }

    static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void theDashboardIsHtml() {
        Reply root = http.get("/");
        assertThat(root.status()).isEqualTo(200);
        assertThat(root.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(root.text()).containsIgnoringCase("synod");
    }

    @Test
    void oneConnectionCarriesSeveralRequests() throws Exception {
        try (RawHttp raw = new RawHttp(cluster.httpAddress(0))) {
            RawHttp.Reply put = raw.exchange("PUT", "/v1/kv/keep-alive", "ka".getBytes(StandardCharsets.UTF_8));
            assertThat(put.status()).isEqualTo(200);
            assertThat(put.headers().get("connection")).isEqualToIgnoringCase("keep-alive");
            for (int i = 0; i < 5; i++) {
                RawHttp.Reply get = raw.exchange("GET", "/v1/kv/keep-alive", null);
                assertThat(get.status()).isEqualTo(200);
                assertThat(get.text()).isEqualTo("ka");
            }
            // An error answer keeps the connection too.
            RawHttp.Reply missing = raw.exchange("GET", "/v1/kv/keep-alive-none", null);
            assertThat(missing.status()).isEqualTo(404);
            RawHttp.Reply bad = raw.exchange("GET", "/v1/kv/keep-alive?consistency=nope", null);
            assertThat(bad.status()).isEqualTo(400);
            RawHttp.Reply status = raw.exchange("GET", "/v1/status", null);
            assertThat(status.status()).isEqualTo(200);
            RawHttp.Reply delete = raw.exchange("DELETE", "/v1/kv/keep-alive", null);
            assertThat(delete.status()).isEqualTo(200);
            // Connection: close is honoured.
            RawHttp.Reply last = raw.exchange("GET", "/v1/status", null, "Connection: close");
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.headers().get("connection")).isEqualToIgnoringCase("close");
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    static List<String> keysOf(JsonNode listing) {
        List<String> keys = new ArrayList<>();
        for (JsonNode item : listing.get("items")) {
            keys.add(item.get("key").asText());
        }
        return keys;
    }

    /** The error shape of DESIGN.md: exactly {"error": "one sentence", "code": CODE}, as JSON. */
    static void assertErrorShape(Reply reply, String code) {
        assertThat(reply.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        JsonNode body = reply.json();
        assertThat(body.isObject()).as("%s", reply).isTrue();
        assertThat(body.get("code").asText()).as("%s", reply).isEqualTo(code);
        assertThat(body.get("code").asText()).matches("[A-Z][A-Z0-9_]*");
        assertThat(body.get("error").isTextual()).isTrue();
        assertThat(body.get("error").asText()).isNotBlank().doesNotContain("\n");
        assertThat(body.size()).as("only error and code: %s", body).isEqualTo(2);
    }
}
