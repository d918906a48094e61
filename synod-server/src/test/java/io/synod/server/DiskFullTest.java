package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.storage.Disk;
import io.synod.storage.ForwardingDisk;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk: new writes and ordered reads fail with a clear error while stale reads keep working, and the node comes
 * back by itself once space returns, with nothing lost and nothing corrupted.
 */
class DiskFullTest {
    @TempDir
    Path dataDir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** A real disk whose free space the test controls. */
    private static final class ShrinkingDisk extends ForwardingDisk {
        volatile boolean full;

        ShrinkingDisk(Disk real) {
            super(real);
        }

        @Override
        protected int writableBytes(String file, int length) {
            return full ? Math.min(length, 3) : length; // a full disk writes a little, then fails
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void writesFailWhileReadsWorkAndTheNodeComesBackWhenSpaceReturns() throws Exception {
        ServerConfig config = ServerConfig.of(0, Map.of(0, new InetSocketAddress("127.0.0.1", freePort())),
                new InetSocketAddress("127.0.0.1", freePort()), dataDir)
                .withElection("none", ServerConfig.LEASE_MS_DEFAULT, ServerConfig.MAX_DRIFT_MS_DEFAULT);
        ShrinkingDisk[] disk = new ShrinkingDisk[1];
        String url;
        try (SynodServer server = SynodServer.start(config, real -> disk[0] = new ShrinkingDisk(real))) {
            url = config.httpUrl();
            assertThat(send("PUT", url + "/v1/kv/kept", "before").statusCode()).isEqualTo(200);

            disk[0].full = true;
            HttpResponse<String> first = send("PUT", url + "/v1/kv/lost", "during");
            assertThat(first.statusCode()).as(first.body()).isIn(504, 507);
            HttpResponse<String> refused = send("PUT", url + "/v1/kv/lost", "during");
            assertThat(refused.statusCode()).isEqualTo(507);
            assertThat(refused.body()).contains("\"code\":\"DISK_FULL\"").contains("disk is full");
            for (String ordered : new String[] {"", "?consistency=linearizable", "?consistency=quorum"}) {
                HttpResponse<String> refusedRead = send("GET", url + "/v1/kv/kept" + ordered, null);
                assertThat(refusedRead.statusCode()).as("a read-only node cannot order reads: %s %s", ordered,
                        refusedRead.body()).isEqualTo(507);
                assertThat(refusedRead.body()).contains("\"code\":\"DISK_FULL\"");
            }
            HttpResponse<String> read = send("GET", url + "/v1/kv/kept?consistency=stale", null);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.body()).isEqualTo("before");
            assertThat(read.headers().firstValue("X-Synod-Stale")).hasValue("true");
            assertThat(read.headers().firstValue("X-Synod-Read-Only")).isEmpty();
            HttpResponse<String> list = send("GET", url + "/v1/kv?prefix=ke&consistency=stale", null);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("\"kept\"");

            disk[0].full = false;
            HttpResponse<String> back = null;
            for (int i = 0; i < 100; i++) {
                back = send("PUT", url + "/v1/kv/after", "space returned");
                if (back.statusCode() == 200) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
        }
        try (SynodServer restarted = SynodServer.start(config)) {
            assertThat(send("GET", url + "/v1/kv/kept", null).body()).isEqualTo("before");
            assertThat(send("GET", url + "/v1/kv/after", null).body()).isEqualTo("space returned");
        }
    }
}
