package io.synod.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.client.ScriptedNode.Received;
import io.synod.client.ScriptedNode.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against scripted neighbours (JDK HttpServers answering what each test says): where requests go, what is
 * retried and with which idempotency key, and which exception each answer becomes.
 */
class SynodClientTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    private ScriptedNode node(java.util.function.Function<Received, Reply> script) {
        ScriptedNode node = new ScriptedNode(script);
        open.add(node);
        return node;
    }

    private SynodClient client(SynodClient.Builder builder) {
        SynodClient client = builder.build();
        open.add(client);
        return client;
    }

    private SynodClient client(URI... endpoints) {
        return client(SynodClient.builder().endpoints(List.of(endpoints)).connectTimeout(Duration.ofMillis(500))
                .requestTimeout(Duration.ofSeconds(2)).retryBudget(Duration.ofSeconds(5)));
    }

    /** A node that says it is master (node {@code id}) and answers everything else with {@code other}. */
    private ScriptedNode master(int id, java.util.function.Function<Received, Reply> other) {
        ScriptedNode[] self = new ScriptedNode[1];
        self[0] = node(request -> request.rawPath().equals("/v1/status")
                ? Reply.json(200, ScriptedNode.status(id, "master", id, self[0].url(), "[]"))
                : other.apply(request));
        return self[0];
    }

    private static Reply written(long slot, long version) {
        return Reply.json(200, "{\"slot\":" + slot + ",\"version\":" + version + "}");
    }

    private static int deadPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void a503IsRetriedAfterItsRetryAfterWithTheSameIdempotencyKey() {
        AtomicInteger puts = new AtomicInteger();
        ScriptedNode node = master(0, request -> puts.incrementAndGet() == 1
                ? Reply.error(503, "NO_MASTER", "Retry-After", "1") : written(7, 9));
        long started = System.nanoTime();
        WriteResult result = client(node.url()).put("greeting", "hello");
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(result).isEqualTo(new WriteResult(7, 9));
        assertThat(tookMs).as("Retry-After: 1 is honoured").isGreaterThanOrEqualTo(1_000);
        List<Received> sent = node.requests();
        assertThat(sent).hasSize(2);
        String key = sent.get(0).header("Idempotency-Key");
        assertThat(key).isNotBlank();
        assertThat(sent.get(1).header("Idempotency-Key")).isEqualTo(key);
        assertThat(sent).allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("PUT");
            assertThat(request.rawPath()).isEqualTo("/v1/kv/greeting");
            assertThat(request.text()).isEqualTo("hello");
        });
    }

    @Test
    void everyLogicalWriteHasItsOwnIdempotencyKeyAndTheCallersKeyIsSent() {
        ScriptedNode node = master(0, request -> written(1, 1));
        SynodClient client = client(node.url());
        client.put("a", "1");
        client.put("a", "1");
        client.put("a", "1", PutOptions.none().idempotencyKey("order-17"));
        client.delete("a", DeleteOptions.none().idempotencyKey("order-18"));
        List<String> keys = node.requests().stream().map(request -> request.header("Idempotency-Key")).toList();
        assertThat(keys).hasSize(4).doesNotHaveDuplicates();
        assertThat(keys.subList(2, 4)).containsExactly("order-17", "order-18");
    }

    @Test
    void a307IsFollowedAndItsLocationBecomesTheMaster() {
        ScriptedNode realMaster = node(request -> written(3, 4));
        ScriptedNode follower = node(request -> request.rawPath().equals("/v1/status")
                ? Reply.json(200, ScriptedNode.status(0, "follower", null, null, "[]"))
                : Reply.json(307, "{\"master\":1}", "Location", realMaster.url() + request.rawPath(),
                        "X-Synod-Master", "1"));
        SynodClient client = client(follower.url());

        assertThat(client.put("k", "v1")).isEqualTo(new WriteResult(3, 4));
        assertThat(client.put("k", "v2")).isEqualTo(new WriteResult(3, 4));

        assertThat(follower.requests()).as("only the first write went to the follower").hasSize(1);
        List<Received> atMaster = realMaster.requests();
        assertThat(atMaster).extracting(Received::text).containsExactly("v1", "v2");
        assertThat(atMaster.get(0).header("Idempotency-Key"))
                .isEqualTo(follower.requests().get(0).header("Idempotency-Key"));
    }

    @Test
    void theMasterNamedInXSynodMasterIsUsedNext() {
        ScriptedNode realMaster = node(request -> request.method().equals("GET") ? Reply.error(404, "NOT_FOUND")
                : written(5, 6));
        ScriptedNode follower = node(request -> request.rawPath().equals("/v1/status")
                ? Reply.json(200, ScriptedNode.status(0, "follower", null, null,
                        "[{\"id\":1,\"reachable\":true,\"applied\":3,\"http\":\"" + realMaster.url() + "\"}]"))
                : Reply.json(200, "{\"slot\":5,\"version\":6}", "X-Synod-Master", "1"));
        SynodClient client = client(follower.url());

        client.put("k", "forwarded");
        client.put("k", "direct");
        assertThat(client.get("k")).isEmpty();

        assertThat(follower.requests()).extracting(Received::text).containsExactly("forwarded");
        assertThat(realMaster.requests()).extracting(Received::method).containsExactly("PUT", "GET");
    }

    @Test
    void aMasterThatSaysNoMasterIsLeftAndTheNewOneDiscovered() {
        java.util.concurrent.atomic.AtomicBoolean deposed = new java.util.concurrent.atomic.AtomicBoolean();
        ScriptedNode[] nodes = new ScriptedNode[2];
        nodes[1] = node(request -> request.rawPath().equals("/v1/status")
                ? Reply.json(200, ScriptedNode.status(1, deposed.get() ? "master" : "follower",
                        deposed.get() ? 1 : 0, deposed.get() ? nodes[1].url() : null, "[]"))
                : written(9, 9));
        nodes[0] = node(request -> {
            if (request.rawPath().equals("/v1/status")) {
                return Reply.json(200, deposed.get()
                        ? ScriptedNode.status(0, "follower", 1, nodes[1].url(), "[]")
                        : ScriptedNode.status(0, "master", 0, nodes[0].url(), "[]"));
            }
            return deposed.get() ? Reply.error(503, "NO_MASTER", "Retry-After", "0") : written(1, 1);
        });
        SynodClient client = client(nodes[0].url(), nodes[1].url());

        assertThat(client.put("k", "first")).isEqualTo(new WriteResult(1, 1));
        deposed.set(true);
        assertThat(client.put("k", "second")).isEqualTo(new WriteResult(9, 9));
        assertThat(client.put("k", "third")).isEqualTo(new WriteResult(9, 9));

        assertThat(nodes[0].requests()).extracting(Received::text).containsExactly("first", "second");
        assertThat(nodes[1].requests()).extracting(Received::text).containsExactly("second", "third");
    }

    @Test
    void aRefusedEndpointIsLeftForTheNextOne() throws IOException {
        URI dead = URI.create("http://127.0.0.1:" + deadPort());
        ScriptedNode alive = node(request -> request.rawPath().equals("/v1/status")
                ? Reply.error(500, "SCRIPTED") // no status: no master known, so the write goes to endpoint 1 first
                : written(2, 2));
        SynodClient client = client(dead, alive.url());

        assertThat(client.put("k", "v")).isEqualTo(new WriteResult(2, 2));
        assertThat(alive.requests()).hasSize(1);
        assertThat(client.get("k", ReadOptions.defaults().consistency(Consistency.STALE))).isPresent();
    }

    @Test
    void aWriteThatTimesOutEveryTimeIsUnknownNeverFailed() {
        ScriptedNode node = master(0, request -> written(1, 1).after(2_000));
        SynodClient client = client(SynodClient.builder().endpoints(List.of(node.url()))
                .requestTimeout(Duration.ofMillis(200)).retryBudget(Duration.ofMillis(1_500)));

        assertThatThrownBy(() -> client.put("k", "v")).isInstanceOfSatisfying(UnknownOutcomeException.class, e -> {
            assertThat(e.getMessage()).contains("UNKNOWN").contains("may still be applied").doesNotContain("\n");
            assertThat(e.code()).isEqualTo("TIMEOUT");
            assertThat(node.requests()).hasSizeGreaterThan(1)
                    .allSatisfy(request -> assertThat(request.header("Idempotency-Key"))
                            .isEqualTo(e.idempotencyKey()));
        });
    }

    @Test
    void a504ThenANoMasterLeavesTheWriteUnknownButAReadUnavailable() {
        AtomicInteger writes = new AtomicInteger();
        ScriptedNode node = master(0, request -> request.method().equals("PUT") && writes.incrementAndGet() == 1
                ? Reply.error(504, "TIMEOUT") : Reply.error(503, "OVERLOADED"));
        SynodClient client = client(SynodClient.builder().endpoints(List.of(node.url()))
                .retryBudget(Duration.ofMillis(600)));

        assertThatThrownBy(() -> client.put("k", "v")).isInstanceOf(UnknownOutcomeException.class)
                .hasMessageContaining("OVERLOADED");
        assertThatThrownBy(() -> client.get("k")).isInstanceOfSatisfying(UnavailableException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("OVERLOADED");
        });
    }

    @Test
    void aWriteNoNodeCouldBeConnectedToIsUnavailableNotUnknown() throws IOException {
        URI dead = URI.create("http://127.0.0.1:" + deadPort());
        SynodClient client = client(SynodClient.builder().endpoints(List.of(dead))
                .retryBudget(Duration.ofMillis(500)));
        assertThatThrownBy(() -> client.put("k", "v")).isInstanceOfSatisfying(UnavailableException.class,
                e -> assertThat(e.code()).isEqualTo("CONNECTION_FAILED"));
    }

    @Test
    void answers4xxAreMappedToTheirExceptionsAndNeverRetried() {
        ScriptedNode node = master(0, request -> switch (request.rawPath()) {
            case "/v1/kv/412" -> Reply.error(412, "PRECONDITION_FAILED", "ETag", "\"41\"");
            case "/v1/kv/422" -> Reply.error(422, "IDEMPOTENCY_KEY_REUSED");
            case "/v1/kv/400" -> Reply.error(400, "BAD_KEY");
            case "/v1/kv/413" -> Reply.error(413, "VALUE_TOO_LARGE");
            case "/v1/log/9" -> Reply.error(410, "COMPACTED");
            default -> Reply.error(404, "NOT_FOUND");
        });
        SynodClient client = client(node.url());

        assertThatThrownBy(() -> client.put("412", "v", PutOptions.none().ifVersion(40)))
                .isInstanceOfSatisfying(ConditionFailedException.class, e -> {
                    assertThat(e.status()).isEqualTo(412);
                    assertThat(e.code()).isEqualTo("PRECONDITION_FAILED");
                    assertThat(e.currentVersion()).hasValue(41);
                });
        assertThatThrownBy(() -> client.put("422", "v")).isInstanceOf(IdempotencyKeyReusedException.class);
        assertThatThrownBy(() -> client.delete("400")).isInstanceOfSatisfying(BadRequestException.class,
                e -> assertThat(e.code()).isEqualTo("BAD_KEY"));
        assertThatThrownBy(() -> client.put("413", "v")).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> client.log(9)).isExactlyInstanceOf(SynodException.class)
                .satisfies(e -> assertThat(((SynodException) e).status()).isEqualTo(410));
        assertThat(client.get("absent")).isEmpty();
        assertThat(node.requests()).as("one attempt each").hasSize(6);
    }

    @Test
    void conditionsConsistencyAndMinSlotGoOnTheWireAndKeysAreEncoded() {
        ScriptedNode node = master(0, request -> request.method().equals("GET")
                ? new Reply(200, "bytes", java.util.Map.of("ETag", "\"12\"", "X-Synod-Slot", "30",
                        "Content-Type", "application/octet-stream"), 0)
                : written(1, 2));
        SynodClient client = client(node.url());

        client.put("a/b c", "v", PutOptions.none().ifVersion(11));
        client.put("ü?", "v", PutOptions.none().createOnly());
        client.delete("x", DeleteOptions.none().ifVersion(3));
        Optional<KeyValue> read = client.get("a/b c", ReadOptions.defaults().consistency(Consistency.QUORUM)
                .minSlot(29));

        assertThat(read).hasValue(new KeyValue("a/b c", "bytes".getBytes(), 12, 30));
        List<Received> sent = node.requests();
        assertThat(sent.get(0).rawPath()).isEqualTo("/v1/kv/a%2Fb%20c");
        assertThat(sent.get(0).header("If-Match")).isEqualTo("\"11\"");
        assertThat(sent.get(0).header("If-None-Match")).isNull();
        assertThat(sent.get(1).rawPath()).isEqualTo("/v1/kv/%C3%BC%3F");
        assertThat(sent.get(1).header("If-None-Match")).isEqualTo("*");
        assertThat(sent.get(2).method()).isEqualTo("DELETE");
        assertThat(sent.get(2).header("If-Match")).isEqualTo("\"3\"");
        assertThat(sent.get(3).rawQuery()).isEqualTo("consistency=quorum&min-slot=29");
        assertThat(sent.get(3).header("Idempotency-Key")).as("reads carry no idempotency key").isNull();
    }

    @Test
    void listStatusAndLogAreTyped() {
        ScriptedNode[] self = new ScriptedNode[1];
        self[0] = node(request -> switch (request.rawPath()) {
            case "/v1/status" -> Reply.json(200, ScriptedNode.status(2, "master", 2, self[0].url(),
                    "[{\"id\":0,\"reachable\":false,\"applied\":null,\"http\":null}]"));
            case "/v1/kv" -> Reply.json(200, "{\"items\":[{\"key\":\"gr/a\",\"value\":\"x\",\"version\":3},"
                    + "{\"key\":\"gr/b\",\"valueBase64\":\"AP8=\",\"version\":4}],\"slot\":8}");
            case "/v1/log/4" -> Reply.json(200, "{\"slot\":4,\"applied\":true,\"command\":{\"type\":\"put\"}}");
            default -> Reply.error(404, "NOT_CHOSEN");
        });
        SynodClient client = client(self[0].url());

        ListResult list = client.list("gr/", 10);
        assertThat(list.slot()).isEqualTo(8);
        assertThat(list.items()).containsExactly(new KeyValue("gr/a", "x".getBytes(), 3, 8),
                new KeyValue("gr/b", new byte[] {0, (byte) 0xff}, 4, 8));
        assertThat(self[0].requests().get(0).rawQuery()).isEqualTo("prefix=gr%2F&limit=10");

        NodeStatus status = client.status();
        assertThat(status.id()).isEqualTo(2);
        assertThat(status.isMaster()).isTrue();
        assertThat(status.masterHttp()).hasValue(self[0].url());
        assertThat(status.slots().committed()).hasValue(3);
        assertThat(status.peers()).singleElement().satisfies(peer -> {
            assertThat(peer.reachable()).isFalse();
            assertThat(peer.applied()).isEmpty();
        });
        assertThat(client.status(self[0].url()).id()).isEqualTo(2);

        assertThat(client.log(4)).hasValueSatisfying(entry -> {
            assertThat(entry.applied()).isTrue();
            assertThat(entry.command()).isEqualTo("{\"type\":\"put\"}");
        });
        assertThat(client.log(5)).isEmpty();
    }

    @Test
    void theAsyncFormsCompleteWithTheSameResultsAndExceptions() {
        ScriptedNode node = master(0, request -> request.rawPath().equals("/v1/kv/bad")
                ? Reply.error(412, "PRECONDITION_FAILED") : written(1, 1));
        SynodClient client = client(node.url());
        assertThat(client.putAsync("k", "v").join()).isEqualTo(new WriteResult(1, 1));
        assertThatThrownBy(() -> client.putAsync("bad", "v".getBytes(), PutOptions.none().createOnly()).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ConditionFailedException.class);
    }

    @Test
    void aClosedClientRefusesAndStatusOfADeadNodeIsUnavailableAtOnce() throws IOException {
        URI dead = URI.create("http://127.0.0.1:" + deadPort());
        SynodClient client = client(dead);
        long started = System.nanoTime();
        assertThatThrownBy(() -> client.status(dead)).isInstanceOf(UnavailableException.class);
        assertThat((System.nanoTime() - started) / 1_000_000).as("one attempt, no retries").isLessThan(1_000);
        client.close();
        assertThatThrownBy(() -> client.get("k")).isInstanceOfSatisfying(SynodException.class,
                e -> assertThat(e.code()).isEqualTo("CLOSED"));
    }

    @Test
    void badEndpointsAndOptionsAreRefusedAtOnce() {
        assertThatThrownBy(() -> SynodClient.builder().endpoints("http://a:1,,http://b:2"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SynodClient.builder().endpoints("ftp://a:1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SynodClient.builder().endpoints("http://a"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PutOptions.none().ifVersion(3).createOnly())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SynodClient.builder().build()).isInstanceOf(IllegalStateException.class);
    }
}
