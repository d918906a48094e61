package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Clients that do not play fair, on raw sockets: each limit of {@link HttpLimits} and the answer it gives. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileClientTest {
    @TempDir
    Path dir;

    LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private LocalCluster node(HttpLimits limits) throws Exception {
        cluster = LocalCluster.start(dir, 1, config -> config.withLimits(limits));
        return cluster;
    }

    /** Starts the node and stores a 400 KB value at {@code big}, whose answers fill socket buffers fast. */
    private byte[] nodeWithABigValue(HttpLimits limits) throws Exception {
        node(limits);
        byte[] big = "b".repeat(400_000).getBytes(StandardCharsets.US_ASCII);
        assertThat(cluster.http(0).put("/v1/kv/big", big).status()).isEqualTo(200);
        return big;
    }

    private RawHttp connect() throws Exception {
        return new RawHttp(cluster.httpAddress(0));
    }

    @Test
    void aClientThatTricklesItsRequestIsAnswered408AndDropped() throws Exception {
        node(new HttpLimits(100, 600, 60_000));
        try (RawHttp slow = connect()) {
            long started = System.nanoTime();
            byte[] request = "GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            RawHttp.Reply reply = null;
            try {
                for (byte b : request) {
                    slow.write(new byte[] {b});
                    Thread.sleep(100);
                }
            } catch (java.io.IOException closed) {
                // the node closed the connection while we were still trickling: expected
            }
            reply = slow.read();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(reply.status()).as("%s", reply).isEqualTo(408);
            assertThat(reply.text()).contains("\"code\":\"REQUEST_TIMEOUT\"");
            assertThat(ms).as("answered near the request time, not after the whole trickle").isLessThan(4_000);
            assertThat(slow.closedByServer()).isTrue();
        }
        // A client that sends at normal speed is served.
        try (RawHttp fast = connect()) {
            assertThat(fast.exchange("GET", "/v1/status", null).status()).isEqualTo(200);
        }
    }

    @Test
    void aConnectionThatNeverSendsARequestIsClosedAfterTheRequestTime() throws Exception {
        node(new HttpLimits(100, 500, 60_000));
        try (RawHttp silent = connect()) {
            RawHttp.Reply reply = silent.read();
            assertThat(reply.status()).isEqualTo(408);
            assertThat(silent.closedByServer()).isTrue();
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedSilently() throws Exception {
        node(new HttpLimits(100, 10_000, 700));
        try (RawHttp idle = connect()) {
            assertThat(idle.exchange("GET", "/v1/status", null).status()).isEqualTo(200);
            Thread.sleep(300);
            assertThat(idle.exchange("GET", "/v1/status", null).status()).as("still open within the idle time")
                    .isEqualTo(200);
            long started = System.nanoTime();
            assertThat(idle.closedByServer()).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(400L, 5_000L);
        }
    }

    @Test
    void oneConnectionOverTheLimitHears503AndAClosedOneFreesItsPlace() throws Exception {
        node(new HttpLimits(3, 10_000, 60_000));
        List<RawHttp> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp connection = connect();
                open.add(connection);
                assertThat(connection.exchange("GET", "/v1/status", null).status()).isEqualTo(200);
            }
            try (RawHttp extra = connect()) {
                RawHttp.Reply refused = extra.read();
                assertThat(refused.status()).as("%s", refused).isEqualTo(503);
                assertThat(refused.text()).contains("\"code\":\"TOO_MANY_CONNECTIONS\"");
                assertThat(refused.headers()).containsEntry("retry-after", "1").containsEntry("connection", "close");
                assertThat(extra.closedByServer()).isTrue();
            }
            open.remove(0).close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (true) {
                try (RawHttp again = connect()) {
                    RawHttp.Reply reply = again.exchange("GET", "/v1/status", null);
                    if (reply.status() == 200) {
                        break;
                    }
                    assertThat(System.nanoTime()).as("a place is freed").isLessThan(deadline);
                } catch (java.io.IOException refusedWhileClosing) {
                    assertThat(System.nanoTime()).as("a place is freed").isLessThan(deadline);
                }
                Thread.sleep(50);
            }
        } finally {
            for (RawHttp connection : open) {
                connection.close();
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredOneAtATimeInOrder() throws Exception {
        node(HttpLimits.DEFAULT);
        Http http = cluster.http(0);
        int n = 40;
        for (int i = 0; i < n; i++) {
            assertThat(http.put("/v1/kv/p" + i, "value-" + i).status()).isEqualTo(200);
        }
        try (RawHttp pipelined = connect()) {
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < n; i++) {
                // Writes and reads mixed: a write that overtook a read would show in the answers' order.
                if (i % 4 == 3) {
                    byte[] body = ("rewritten-" + i).getBytes(StandardCharsets.UTF_8);
                    all.append("PUT /v1/kv/p").append(i).append(" HTTP/1.1\r\nHost: x\r\nContent-Length: ")
                            .append(body.length).append("\r\n\r\n").append("rewritten-").append(i);
                } else {
                    all.append("GET /v1/kv/p").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
                }
            }
            pipelined.write(all.toString().getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < n; i++) {
                RawHttp.Reply reply = pipelined.read();
                assertThat(reply.status()).as("answer %d: %s", i, reply).isEqualTo(200);
                if (i % 4 == 3) {
                    assertThat(reply.text()).as("answer %d is the PUT's", i).contains("\"version\"");
                } else {
                    assertThat(reply.text()).as("answer %d", i).isEqualTo("value-" + i);
                }
            }
        }
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestsHearsEveryAnswerWholeThenTheClose() throws Exception {
        // What `printf ... | nc -N` does: send, shut the write side, read to the end. The node must answer all that
        // was sent before the end of the stream, each body whole, and close only then.
        byte[] big = nodeWithABigValue(HttpLimits.DEFAULT);
        int n = 8;
        try (RawHttp client = connect()) {
            for (int i = 0; i < n; i++) {
                client.send("GET", "/v1/kv/big", null);
            }
            client.send("PUT", "/v1/kv/last", "after-the-reads".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            for (int i = 0; i < n; i++) {
                RawHttp.Reply reply = client.read();
                assertThat(reply.status()).as("answer %d", i).isEqualTo(200);
                assertThat(reply.body()).as("answer %d is whole", i).hasSize(big.length);
            }
            assertThat(client.read().status()).as("the PUT sent just before the half-close").isEqualTo(200);
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(cluster.http(0).get("/v1/kv/last").text()).isEqualTo("after-the-reads");
    }

    @Test
    void answersBeforeARefusalArriveWholeThoughTheClientSentMoreAfterIt() throws Exception {
        // A node that closes with bytes unread makes the kernel send a reset, which throws away what is still in
        // flight to the client: the answers before the refusal, and the refusal itself. Close lingering instead.
        byte[] big = nodeWithABigValue(HttpLimits.DEFAULT);
        for (int attempt = 0; attempt < 3; attempt++) {
            try (RawHttp client = connect()) {
                StringBuilder all = new StringBuilder();
                for (int i = 0; i < 4; i++) {
                    all.append("GET /v1/kv/big HTTP/1.1\r\nHost: x\r\n\r\n");
                }
                all.append("GET /v1/status HTTP/1.1\r\nHost: x\r\nno colon in this header\r\n\r\n");
                all.append("junk after the bad request ".repeat(4_000));
                client.write(all.toString().getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(300); // the node answers and closes while the answers still sit in the buffers
                for (int i = 0; i < 4; i++) {
                    RawHttp.Reply reply = client.read();
                    assertThat(reply.status()).as("answer %d", i).isEqualTo(200);
                    assertThat(reply.body()).as("answer %d is whole", i).hasSize(big.length);
                }
                RawHttp.Reply refusal = client.read();
                assertThat(refusal.status()).as("%s", refusal).isEqualTo(400);
                assertThat(refusal.headers()).containsEntry("connection", "close");
                assertThat(client.closedByServer()).isTrue();
            }
        }
    }

    @Test
    void aBodyOverTheLimitHears413ThoughTheClientKeepsSendingIt() throws Exception {
        node(HttpLimits.DEFAULT);
        for (int attempt = 0; attempt < 3; attempt++) {
            try (RawHttp client = connect()) {
                int length = 6 << 20;
                client.write(("PUT /v1/kv/huge HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                Thread sender = Thread.ofVirtual().start(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        for (int sent = 0; sent < length; sent += chunk.length) {
                            client.write(chunk);
                        }
                    } catch (java.io.IOException closed) {
                        // the node may stop reading once it has answered and lingered; the answer is what counts
                    }
                });
                RawHttp.Reply reply = client.read();
                assertThat(reply.status()).as("%s", reply).isEqualTo(413);
                assertThat(reply.text()).contains("\"code\":\"VALUE_TOO_LARGE\"");
                sender.join(10_000);
            }
        }
        assertThat(cluster.http(0).get("/v1/kv/huge").status()).isEqualTo(404);
    }

    @Test
    void theRequestTimeDoesNotRunWhileQueuedPipelinedRequestsAreAnswered() throws Exception {
        // Requests that arrived in full and wait their turn are not slow clients, however long their turn takes
        // (here: a client that reads its answers slowly). A 408 among them would be read as an earlier one's answer.
        byte[] big = nodeWithABigValue(new HttpLimits(100, 300, 60_000));
        byte[] get = "GET /v1/kv/big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (RawHttp client = connect()) {
            for (int i = 0; i < 30; i++) {
                client.write(get); // 12 MB of answers: more than the socket buffers hold
            }
            Thread.sleep(100); // the first answers wait for the client when more requests arrive
            for (int i = 0; i < 10; i++) {
                client.write(get);
            }
            for (int i = 0; i < 40; i++) {
                Thread.sleep(20);
                RawHttp.Reply reply = client.read();
                assertThat(reply.status()).as("answer %d: %s", i, reply.statusLine()).isEqualTo(200);
                assertThat(reply.body()).as("answer %d is whole", i).hasSize(big.length);
            }
        }
    }

    @Test
    void headersOverSixteenKibAre431InTheErrorShape() throws Exception {
        node(HttpLimits.DEFAULT);
        try (RawHttp big = connect()) {
            RawHttp.Reply reply = big.exchange("GET", "/v1/status", null, "X-Big: " + "a".repeat(20_000));
            assertThat(reply.status()).isEqualTo(431);
            assertThat(reply.text()).contains("\"code\":\"HEADERS_TOO_LARGE\"");
        }
    }
}
