package io.synod.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A scripted neighbour for the client's unit tests: a JDK {@link HttpServer} (or {@link HttpsServer}) on a free
 * loopback port that answers each request with what the test's script returns, and records every request it received.
 */
final class ScriptedNode implements AutoCloseable {
    /**
     * A request as the node received it; over TLS with the protocol of its connection and the subject of the client
     * certificate (null when none was presented), else both null.
     */
    record Received(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body,
            String tlsProtocol, String clientSubject) {
        String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().get(0)).findFirst().orElse(null);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** An answer to send; {@code delayMs} first (to make the client time out). */
    record Reply(int status, String body, Map<String, String> headers, long delayMs) {
        static Reply json(int status, String body, String... headers) {
            Map<String, String> map = new java.util.LinkedHashMap<>();
            for (int i = 0; i < headers.length; i += 2) {
                map.put(headers[i], headers[i + 1]);
            }
            return new Reply(status, body, map, 0);
        }

        static Reply error(int status, String code, String... headers) {
            return json(status, "{\"error\":\"scripted " + code + "\",\"code\":\"" + code + "\"}", headers);
        }

        Reply after(long ms) {
            return new Reply(status, body, headers, ms);
        }
    }

    private final HttpServer server;
    private final boolean tls;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Received, Reply> script;

    ScriptedNode(Function<Received, Reply> script) {
        this(script, null, false);
    }

    /**
     * A node speaking HTTPS with {@code tls} (TLS 1.3 only), requiring a client certificate if
     * {@code needClientCertificate}; plain HTTP if {@code tls} is null.
     */
    ScriptedNode(Function<Received, Reply> script, SSLContext tls, boolean needClientCertificate) {
        this.script = script;
        this.tls = tls != null;
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try {
            if (tls == null) {
                server = HttpServer.create(address, 50);
            } else {
                HttpsServer https = HttpsServer.create(address, 50);
                https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                    @Override
                    public void configure(HttpsParameters parameters) {
                        SSLParameters ssl = tls.getDefaultSSLParameters();
                        ssl.setProtocols(new String[] {"TLSv1.3"});
                        ssl.setNeedClientAuth(needClientCertificate);
                        parameters.setSSLParameters(ssl);
                    }
                });
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request received, status requests included, in order. */
    List<Received> all() {
        return List.copyOf(received);
    }

    void script(Function<Received, Reply> next) {
        this.script = next;
    }

    /** Every request but status requests, in order. */
    List<Received> requests() {
        return received.stream().filter(request -> !request.rawPath().equals("/v1/status")).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String protocol = null;
            String subject = null;
            if (exchange instanceof HttpsExchange secure) {
                protocol = secure.getSSLSession().getProtocol();
                try {
                    subject = ((X509Certificate) secure.getSSLSession().getPeerCertificates()[0])
                            .getSubjectX500Principal().getName();
                } catch (SSLPeerUnverifiedException noCertificate) {
                    subject = null;
                }
            }
            Received request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body, protocol,
                    subject);
            received.add(request);
            Reply reply = script.apply(request);
            if (reply.delayMs() > 0) {
                try {
                    Thread.sleep(reply.delayMs());
                } catch (InterruptedException stopping) {
                    return;
                }
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            if (!reply.headers().containsKey("Content-Type")) {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
            }
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    /** A status body: node {@code id} with {@code role}, naming {@code masterHttp} (null for none). */
    static String status(int id, String role, Integer master, URI masterHttp, String peers) {
        return "{\"id\":" + id + ",\"role\":\"" + role + "\",\"master\":" + master + ",\"masterHttp\":"
                + (masterHttp == null ? "null" : "\"" + masterHttp + "\"")
                + ",\"lease\":{\"holder\":" + master + ",\"remainingMs\":0},\"election\":\"paxoslease\","
                + "\"ballot\":\"b1.0\",\"slots\":{\"firstRetained\":0,\"committed\":3,\"applied\":3},\"peers\":"
                + peers + "}";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
