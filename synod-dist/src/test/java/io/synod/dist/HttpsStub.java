package io.synod.dist;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.synod.client.PemFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A neighbour for the client commands' TLS tests: a JDK HTTPS server (TLS 1.3, the certificate of {@code synod certs}'
 * first node) on a free loopback port that says it is master and wants {@code Authorization: Bearer <token>}: without
 * it every request is {@code 401 UNAUTHENTICATED}; with it a {@code PUT} is written, a {@code GET} finds "v" and
 * {@code /v1/status} is a master's. Records the Authorization header of every request.
 */
final class HttpsStub implements AutoCloseable {
    private final HttpsServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final String token;
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    HttpsStub(Path certs, String token) throws Exception {
        this.token = token;
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(PemFiles.keyManagers(certs.resolve("node-1.crt"), certs.resolve("node-1.key")).getKeyManagers(),
                null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters parameters) {
                SSLParameters ssl = tls.getDefaultSSLParameters();
                ssl.setProtocols(new String[] {"TLSv1.3"});
                parameters.setSSLParameters(ssl);
            }
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(String.valueOf(authorization));
            int status;
            String body;
            if (!("Bearer " + token).equals(authorization)) {
                status = 401;
                body = "{\"error\":\"a valid Authorization: Bearer token is required\",\"code\":\"UNAUTHENTICATED\"}";
            } else if (exchange.getRequestURI().getPath().equals("/v1/status")) {
                status = 200;
                body = "{\"id\":0,\"role\":\"master\",\"master\":0,\"masterHttp\":\"" + url() + "\",\"lease\":"
                        + "{\"holder\":0,\"remainingMs\":1000},\"election\":\"paxoslease\",\"ballot\":\"b1.0\","
                        + "\"slots\":{\"firstRetained\":0,\"committed\":1,\"applied\":1},\"peers\":[]}";
            } else if (exchange.getRequestMethod().equals("PUT")) {
                status = 200;
                body = "{\"slot\":1,\"version\":2}";
            } else {
                status = 200;
                body = "v";
                exchange.getResponseHeaders().set("ETag", "\"2\"");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
