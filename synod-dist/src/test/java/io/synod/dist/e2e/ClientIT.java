package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.client.BadRequestException;
import io.synod.client.ConditionFailedException;
import io.synod.client.Consistency;
import io.synod.client.DeleteOptions;
import io.synod.client.DeleteResult;
import io.synod.client.IdempotencyKeyReusedException;
import io.synod.client.KeyValue;
import io.synod.client.ListResult;
import io.synod.client.NodeStatus;
import io.synod.client.PutOptions;
import io.synod.client.ReadOptions;
import io.synod.client.SynodClient;
import io.synod.client.UnavailableException;
import io.synod.client.WriteResult;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java client against three real {@code synod server} processes started with {@code --no-forward} (so a request
 * that reaches a follower is answered {@code 307}, and the client must find and follow the master itself): every
 * operation and option, then a kill -9 of the master, across which the client carries on, and a write retried with
 * its idempotency key is applied once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientIT extends ClusterTestBase {
    private static final ReadOptions STALE = ReadOptions.defaults().consistency(Consistency.STALE);

    private List<URI> endpoints() {
        List<URI> urls = new ArrayList<>();
        for (int id = 0; id < cluster.size(); id++) {
            urls.add(URI.create(cluster.url(id)));
        }
        return urls;
    }

    @Test
    void everyOperationWorksAndTheClientCarriesOnAcrossAKillOfTheMaster() {
        newCluster(3, List.of("--lease-ms", "1000", "--max-drift-ms", "100", "--request-timeout-ms", "2000",
                "--no-forward"));
        for (int id = 0; id < 3; id++) {
            cluster.start(id);
        }
        int master = awaitMaster(Duration.ofSeconds(30));
        int follower = (master + 1) % 3;
        assertThat(node(follower).put("probe", "x").status()).as("a follower redirects (--no-forward)")
                .isEqualTo(307);
        try (SynodClient client = SynodClient.builder().endpoints(endpoints()).build()) {
            // put and get, with the version the put answered
            WriteResult hello = client.put("greeting", "hello");
            assertThat(client.get("greeting")).hasValueSatisfying(entry -> {
                assertThat(entry.valueAsString()).isEqualTo("hello");
                assertThat(entry.version()).isEqualTo(hello.version());
                assertThat(entry.slot()).isGreaterThanOrEqualTo(hello.slot());
            });
            assertThat(client.status().id()).as("the client found the master").isEqualTo(master);

            // conditional put: on the current version, then on a stale one
            WriteResult hi = client.put("greeting", "hi", PutOptions.none().ifVersion(hello.version()));
            assertThat(hi.version()).isGreaterThan(hello.version());
            assertThatThrownBy(() -> client.put("greeting", "no", PutOptions.none().ifVersion(hello.version())))
                    .isInstanceOfSatisfying(ConditionFailedException.class,
                            e -> assertThat(e.currentVersion()).hasValue(hi.version()));

            // create-only
            assertThatThrownBy(() -> client.put("greeting", "no", PutOptions.none().createOnly()))
                    .isInstanceOf(ConditionFailedException.class);
            WriteResult created = client.put("fresh", "new", PutOptions.none().createOnly());
            assertThat(client.get("fresh").map(KeyValue::version)).hasValue(created.version());

            // delete: conditional on a wrong version, then for real, then of nothing
            assertThatThrownBy(() -> client.delete("fresh", DeleteOptions.none().ifVersion(created.version() + 100)))
                    .isInstanceOf(ConditionFailedException.class);
            DeleteResult deleted = client.delete("fresh", DeleteOptions.none().ifVersion(created.version()));
            assertThat(deleted.deleted()).isTrue();
            assertThat(client.delete("fresh").deleted()).isFalse();
            assertThat(client.get("fresh")).isEmpty();

            // prefix list, with a limit; keys with characters that need %-encoding
            client.put("gr/b", "2");
            client.put("gr/a", "1");
            client.put("gr/c d?", "3");
            WriteResult last = client.put("other/x", "x");
            ListResult listed = client.list("gr/", 10);
            assertThat(listed.items()).extracting(KeyValue::key).containsExactly("gr/a", "gr/b", "gr/c d?");
            assertThat(listed.items()).extracting(KeyValue::valueAsString).containsExactly("1", "2", "3");
            assertThat(client.list("gr/", 2).items()).hasSize(2);
            assertThat(client.get("gr/c d?").map(KeyValue::valueAsString)).hasValue("3");

            // each consistency, and min-slot on a follower's stale read (read your writes)
            for (Consistency consistency : Consistency.values()) {
                assertThat(client.get("gr/a", ReadOptions.defaults().consistency(consistency)
                        .minSlot(last.slot())).map(KeyValue::valueAsString)).as("%s", consistency).hasValue("1");
            }
            try (SynodClient atFollower = SynodClient.builder()
                    .endpoints(List.of(URI.create(cluster.url(follower)))).build()) {
                assertThat(atFollower.get("other/x", STALE.minSlot(last.slot())).map(KeyValue::valueAsString))
                        .hasValue("x");
                assertThat(atFollower.list("gr/", 10, STALE.minSlot(last.slot())).items()).hasSize(3);
                assertThat(atFollower.put("via-follower", "307 followed").version()).isPositive();
            }
            try (SynodClient impatient = SynodClient.builder().endpoints(endpoints())
                    .retryBudget(Duration.ofMillis(500)).build()) {
                assertThatThrownBy(() -> impatient.get("gr/a", ReadOptions.defaults().minSlot(1_000_000)))
                        .as("a min-slot never reached").isInstanceOfSatisfying(UnavailableException.class,
                                e -> assertThat(e.status()).isEqualTo(504));
            }

            // status of every node, and the log
            for (URI endpoint : endpoints()) {
                NodeStatus status = client.status(endpoint);
                assertThat(status.master()).hasValue(master);
                assertThat(status.peers()).hasSize(2);
            }
            assertThat(client.log(hello.slot())).hasValueSatisfying(entry -> assertThat(entry.command())
                    .contains("\"greeting\"").contains("\"hello\""));
            assertThat(client.log(1_000_000)).isEmpty();

            // refusals
            assertThatThrownBy(() -> client.put("k".repeat(2_000), "v")).isInstanceOfSatisfying(
                    BadRequestException.class, e -> assertThat(e.status()).isEqualTo(413));
            WriteResult once = client.put("order/17", "paid", PutOptions.none().idempotencyKey("order-17"));
            assertThatThrownBy(() -> client.put("order/18", "paid", PutOptions.none().idempotencyKey("order-17")))
                    .isInstanceOf(IdempotencyKeyReusedException.class);

            // kill -9 of the master: the client finds the new one, and the retried write is applied once
            cluster.kill(master);
            long started = System.nanoTime();
            WriteResult after = client.put("after-kill", "still here");
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            System.out.println("client: first write after kill -9 of the master took " + tookMs + " ms");
            assertThat(client.status().id()).isNotEqualTo(master);
            assertThat(client.put("order/17", "paid", PutOptions.none().idempotencyKey("order-17")))
                    .as("the retry answers as the first time").isEqualTo(once);
            assertThat(client.get("order/17").map(KeyValue::version)).hasValue(once.version());
            assertThat(client.get("after-kill").map(KeyValue::version)).hasValue(after.version());
            assertThat(client.get("greeting").map(KeyValue::valueAsString)).hasValue("hi");
        }
    }
}
