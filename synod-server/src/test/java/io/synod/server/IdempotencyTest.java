package io.synod.server;

import static io.synod.server.KvApiTest.assertErrorShape;
import static org.assertj.core.api.Assertions.assertThat;

import io.synod.server.Http.Reply;
import org.junit.jupiter.api.Test;

/**
 * Idempotency keys over HTTP (DESIGN.md §1): a key is bound to the request it first came with; a retry of that request
 * answers exactly as the first time, and the same key on any other request is refused with 422 and changes nothing.
 */
class IdempotencyTest extends OneNodeTest {
    @Test
    void anIdempotencyKeyReusedForAnotherRequestIs422AndChangesNothing() {
        // Proves the reproduction is fixed: order-17's key cannot write another key nor delete order/17.
        Reply first = http.put("/v1/kv/order/17", "paid", "Idempotency-Key", "order-17");
        assertThat(first.status()).as("%s", first).isEqualTo(200);
        long version = first.json().get("version").asLong();

        Reply otherKey = http.put("/v1/kv/unrelated", "something else", "Idempotency-Key", "order-17");
        assertThat(otherKey.status()).as("%s", otherKey).isEqualTo(422);
        assertErrorShape(otherKey, "IDEMPOTENCY_KEY_REUSED");
        assertThat(http.get("/v1/kv/unrelated").status()).as("unrelated was not written").isEqualTo(404);

        Reply delete = http.delete("/v1/kv/order/17", "Idempotency-Key", "order-17");
        assertThat(delete.status()).as("%s", delete).isEqualTo(422);
        assertErrorShape(delete, "IDEMPOTENCY_KEY_REUSED");
        Reply kept = http.get("/v1/kv/order/17");
        assertThat(kept.status()).as("order/17 was not deleted").isEqualTo(200);
        assertThat(kept.text()).isEqualTo("paid");
        assertThat(kept.etag()).isEqualTo(version);

        for (String[] conditions : new String[][] {{"If-None-Match", "*"}, {"If-Match", "\"" + version + "\""}}) {
            Reply conditional = http.put("/v1/kv/order/17", "paid", "Idempotency-Key", "order-17",
                    conditions[0], conditions[1]);
            assertThat(conditional.status()).as("the conditions are part of the request: %s", conditional)
                    .isEqualTo(422);
            assertErrorShape(conditional, "IDEMPOTENCY_KEY_REUSED");
        }

        Reply retry = http.put("/v1/kv/order/17", "paid", "Idempotency-Key", "order-17");
        assertThat(retry.status()).isEqualTo(first.status());
        assertThat(retry.header("Content-Type")).isEqualTo(first.header("Content-Type"));
        assertThat(retry.body()).as("the retry answers byte for byte as the first time: %s / %s", first, retry)
                .isEqualTo(first.body());
        assertThat(http.get("/v1/kv/order/17").etag()).as("and is not applied again").isEqualTo(version);
    }

    @Test
    void aKeyedCreateOnlyPutThatGot412Gets412AgainOnRetryEvenAfterTheKeyIsDeleted() {
        // Proves a remembered answer is replayed whatever it was: a 412 stays a 412, with its ETag, once the key is gone.
        long existing = http.putOk("create-once", "already here");
        Reply refused = http.put("/v1/kv/create-once", "mine", "Idempotency-Key", "create-once-1", "If-None-Match",
                "*");
        assertThat(refused.status()).as("%s", refused).isEqualTo(412);
        assertErrorShape(refused, "PRECONDITION_FAILED");
        assertThat(refused.etag()).isEqualTo(existing);

        Reply retry = http.put("/v1/kv/create-once", "mine", "Idempotency-Key", "create-once-1", "If-None-Match", "*");
        assertThat(retry.status()).isEqualTo(412);
        assertThat(retry.etag()).isEqualTo(existing);
        assertThat(retry.body()).isEqualTo(refused.body());

        assertThat(http.delete("/v1/kv/create-once").json().get("deleted").asBoolean()).isTrue();
        Reply afterDelete = http.put("/v1/kv/create-once", "mine", "Idempotency-Key", "create-once-1",
                "If-None-Match", "*");
        assertThat(afterDelete.status()).as("the retry answers as the first time, not as a new create: %s",
                afterDelete).isEqualTo(412);
        assertThat(afterDelete.etag()).isEqualTo(existing);
        assertThat(afterDelete.body()).isEqualTo(refused.body());
        assertThat(http.get("/v1/kv/create-once").status()).as("and it did not create the key").isEqualTo(404);

        Reply unkeyed = http.put("/v1/kv/create-once", "mine", "If-None-Match", "*");
        assertThat(unkeyed.status()).as("a new request without the key does create it").isEqualTo(200);
    }
}
