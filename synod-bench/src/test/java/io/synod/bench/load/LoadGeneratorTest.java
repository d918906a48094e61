package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The generator against a small JDK HTTP server standing in for a node (the real cluster is in synod-dist's BenchIT):
 * it finds the master through the status, mixes reads and writes, preloads, counts 404s apart, and names failures by
 * JSON code, TIMEOUT and CONNECTION.
 */
class LoadGeneratorTest {
    private final ExecutorService executor = Executors.newFixedThreadPool(16);
    private HttpServer server;
    private final Set<String> written = ConcurrentHashMap.newKeySet();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        executor.shutdownNow();
    }

    private URI serve(boolean healthy) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        server.createContext("/v1/status", exchange -> answer(exchange, 200,
                "{\"role\":\"follower\",\"master\":1,\"masterHttp\":\"" + base + "\"}"));
        server.createContext("/v1/kv/", exchange -> {
            String key = exchange.getRequestURI().getPath().substring("/v1/kv/".length());
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestMethod().equals("PUT")) {
                if (healthy) {
                    written.add(key);
                    answer(exchange, 200, "{\"slot\":1,\"version\":1}");
                } else {
                    answer(exchange, 503, "{\"error\":\"no master is known\",\"code\":\"NO_MASTER\"}");
                }
            } else if (!healthy) {
                sleep(1_000); // longer than the timeout
                answer(exchange, 200, "late");
            } else if (written.contains(key)) {
                answer(exchange, 200, "value");
            } else {
                answer(exchange, 404, "{\"error\":\"no such key\",\"code\":\"NOT_FOUND\"}");
            }
        });
        server.start();
        return base;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static LoadSpec spec(URI endpoint, double readRatio, boolean spread, boolean preload, int keys) {
        return new LoadSpec(List.of(endpoint), 4, 2, Duration.ofMillis(800), Duration.ofMillis(200), 10, readRatio,
                LoadSpec.Consistency.LINEARIZABLE, keys, spread, preload, Duration.ofMillis(300));
    }

    @Test
    void aMixedRunAgainstTheMasterCountsReadsWritesAndNotFoundApart() throws Exception {
        URI base = serve(true);
        StringWriter progress = new StringWriter();
        LoadReport report = LoadGenerator.run(spec(base, 0.5, false, false, 1_000_000),
                new PrintWriter(progress));
        assertThat(report.targets()).containsExactly(base);
        assertThat(report.reads().ops()).isPositive();
        assertThat(report.writes().ops()).isPositive();
        assertThat(report.total().ops()).isEqualTo(report.reads().ops() + report.writes().ops());
        assertThat(report.reads().notFound()).as("reads before the first write of their key").isPositive();
        assertThat(report.errors()).isEmpty();
        assertThat(report.seconds()).as("at least the duration").isGreaterThanOrEqualTo(0.8);
        assertThat(progress.toString()).as("a progress line a second").contains("ops/s", "p99", "errors 0");
    }

    @Test
    void thePreloadWritesEveryKeySoReadsFindThem() throws Exception {
        URI base = serve(true);
        LoadReport report = LoadGenerator.run(spec(base, 1.0, true, true, 200), new PrintWriter(new StringWriter()));
        assertThat(written).hasSize(200).contains("k0", "k199");
        assertThat(report.preloaded()).isEqualTo(200);
        assertThat(report.preloadFailed()).isZero();
        assertThat(report.writes().ops()).isZero();
        assertThat(report.reads().ops()).isPositive();
        assertThat(report.reads().notFound()).isZero();
    }

    @Test
    void failuresAreNamedByTheirJsonCodeOrAsTimeouts() throws Exception {
        URI base = serve(false);
        StringWriter progress = new StringWriter();
        LoadReport report = LoadGenerator.run(spec(base, 0.5, true, false, 50), new PrintWriter(progress));
        assertThat(report.errors()).as("%s%s", progress, report.text()).containsOnlyKeys("NO_MASTER", "TIMEOUT");
        assertThat(report.allFailed()).isTrue();
    }

    @Test
    void nobodyListeningIsConnectionErrors() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        LoadReport report = LoadGenerator.run(spec(URI.create("http://127.0.0.1:" + port), 0.5, true, false, 10),
                new PrintWriter(new StringWriter()));
        assertThat(report.errors()).containsOnlyKeys(ErrorCodes.CONNECTION);
        assertThat(report.allFailed()).isTrue();
    }

    @Test
    void withoutAMasterThereIsNoTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/v1/status", exchange -> answer(exchange, 200, "{\"master\":null,\"masterHttp\":null}"));
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        assertThatThrownBy(() -> Targets.resolve(spec(base, 0.5, false, false, 10), Duration.ofMillis(300)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no endpoint named a master").hasMessageContaining("knows no master");
    }
}
