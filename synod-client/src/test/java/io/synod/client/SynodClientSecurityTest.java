package io.synod.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.client.ScriptedNode.Received;
import io.synod.client.ScriptedNode.Reply;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client over TLS and with a token, against scripted HTTPS nodes (JDK HttpsServers, TLS 1.3 only) with
 * certificates from the JDK's keytool: the token on every request, the client certificate presented, a CA or host
 * name that does not match failing at once as {@code TLS_FAILED}, and {@code 401}/{@code 403} as
 * {@link AccessDeniedException}, asked once.
 */
class SynodClientSecurityTest {
    @TempDir
    static Path dir;

    private static TestPki ca;
    private static TestPki otherCa;
    private static TestPki.Leaf node;
    private static TestPki.Leaf otherHost;
    private static TestPki.Leaf client;

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() {
        ca = new TestPki(dir, "test-ca");
        otherCa = new TestPki(dir, "other-ca");
        node = ca.issue("node", "EC", "ip:127.0.0.1,dns:localhost");
        otherHost = ca.issue("elsewhere", "EC", "dns:elsewhere.example");
        client = ca.issue("client", "RSA", "");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    private static SSLContext serverContext(TestPki.Leaf leaf) throws Exception {
        KeyManagerFactory keys = PemFiles.keyManagers(leaf.certificate(), leaf.key());
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keys.getKeyManagers(), PemFiles.trustManagers(ca.caCertificate()).getTrustManagers(), null);
        return context;
    }

    /** An HTTPS node that says it is master and answers everything else with {@code other}. */
    private ScriptedNode secureMaster(TestPki.Leaf leaf, boolean needClientCertificate,
            Function<Received, Reply> other) throws Exception {
        ScriptedNode[] self = new ScriptedNode[1];
        self[0] = new ScriptedNode(request -> request.rawPath().equals("/v1/status")
                ? Reply.json(200, ScriptedNode.status(0, "master", 0, self[0].url(), "[]"))
                : other.apply(request), serverContext(leaf), needClientCertificate);
        open.add(self[0]);
        return self[0];
    }

    private SynodClient client(SynodClient.Builder builder) {
        SynodClient built = builder.connectTimeout(Duration.ofMillis(500)).requestTimeout(Duration.ofSeconds(2))
                .retryBudget(Duration.ofSeconds(5)).build();
        open.add(built);
        return built;
    }

    private static Reply written() {
        return Reply.json(200, "{\"slot\":3,\"version\":4}");
    }

    @Test
    void everyRequestGoesOverTls13WithTheToken() throws Exception {
        ScriptedNode master = secureMaster(node, false, request -> written());
        SynodClient synod = client(SynodClient.builder().endpoints(List.of(master.url()))
                .trustCertificates(ca.caCertificate()).token("s3cret-token"));

        assertThat(synod.put("greeting", "hello")).isEqualTo(new WriteResult(3, 4));
        assertThat(master.all()).as("the discovery's status request and the put").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(request -> {
                    assertThat(request.tlsProtocol()).isEqualTo("TLSv1.3");
                    assertThat(request.header("Authorization")).isEqualTo("Bearer s3cret-token");
                    assertThat(request.clientSubject()).as("no client certificate was given").isNull();
                });
    }

    @Test
    void withoutATokenNoAuthorizationHeaderIsSent() throws Exception {
        ScriptedNode master = secureMaster(node, false, request -> written());
        client(SynodClient.builder().endpoints(List.of(master.url())).trustCertificates(ca.caCertificate()))
                .put("greeting", "hello");
        assertThat(master.all()).allSatisfy(request -> assertThat(request.header("Authorization")).isNull());
    }

    @Test
    void theClientCertificateIsPresentedToANodeThatRequiresOne() throws Exception {
        ScriptedNode master = secureMaster(node, true, request -> written());
        SynodClient synod = client(SynodClient.builder().endpoints(List.of(master.url()))
                .trustCertificates(ca.caCertificate()).clientCertificate(client.certificate(), client.key()));

        synod.put("greeting", "hello");
        assertThat(master.requests()).singleElement().extracting(Received::clientSubject).isEqualTo("CN=client");
    }

    @Test
    void withoutTheClientCertificateANodeThatRequiresOneRefusesAtOnce() throws Exception {
        ScriptedNode master = secureMaster(node, true, request -> written());
        SynodClient synod = client(SynodClient.builder().endpoints(List.of(master.url()))
                .trustCertificates(ca.caCertificate()));

        long started = System.nanoTime();
        assertThatThrownBy(() -> synod.get("greeting")).isInstanceOfSatisfying(SynodException.class, failure -> {
            assertThat(failure.code()).isEqualTo("TLS_FAILED");
            assertThat(failure.getMessage()).contains("refused the handshake").doesNotContain("\n");
        });
        assertThat((System.nanoTime() - started) / 1_000_000).as("not retried for the 5 s budget").isLessThan(3_000);
        assertThat(master.all()).isEmpty();
    }

    @Test
    void aNodeCertificateFromAnotherCaFailsAtOnceWithoutRetries() throws Exception {
        ScriptedNode master = secureMaster(node, false, request -> written());
        SynodClient synod = client(SynodClient.builder().endpoints(List.of(master.url()))
                .trustCertificates(otherCa.caCertificate()));

        long started = System.nanoTime();
        assertThatThrownBy(() -> synod.put("greeting", "hello"))
                .isInstanceOfSatisfying(SynodException.class, failure -> {
                    assertThat(failure).isNotInstanceOf(UnknownOutcomeException.class);
                    assertThat(failure.code()).isEqualTo("TLS_FAILED");
                    assertThat(failure.status()).isZero();
                    assertThat(failure.getMessage()).contains("not signed by a trusted CA").contains("--ca");
                });
        assertThat((System.nanoTime() - started) / 1_000_000).as("not retried for the 5 s budget").isLessThan(3_000);
        assertThat(master.all()).isEmpty();
    }

    @Test
    void aNodeCertificateThatDoesNotNameTheHostDialledFails() throws Exception {
        ScriptedNode master = secureMaster(otherHost, false, request -> written());
        SynodClient synod = client(SynodClient.builder().endpoints(List.of(master.url()))
                .trustCertificates(ca.caCertificate()));

        assertThatThrownBy(() -> synod.status(master.url()))
                .isInstanceOfSatisfying(SynodException.class, failure -> {
                    assertThat(failure.code()).isEqualTo("TLS_FAILED");
                    assertThat(failure.getMessage()).contains("does not name 127.0.0.1");
                });
        assertThat(master.all()).isEmpty();
    }

    @Test
    void anHttpsEndpointThatSpeaksPlainHttpFailsAtOnce() throws Exception {
        // A plain HTTP server answers the ClientHello as a malformed request: 400 in plain text.
        ServerSocket plain = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        open.add(plain);
        Thread.ofVirtual().start(() -> {
            while (!plain.isClosed()) {
                try (Socket socket = plain.accept()) {
                    socket.getInputStream().read(new byte[1024]);
                    socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        SynodClient synod = client(SynodClient.builder().endpoints("https://127.0.0.1:" + plain.getLocalPort())
                .trustCertificates(ca.caCertificate()));

        assertThatThrownBy(() -> synod.get("greeting")).isInstanceOfSatisfying(SynodException.class, failure -> {
            assertThat(failure.code()).as(failure.getMessage()).isEqualTo("TLS_FAILED");
            assertThat(failure.getMessage()).contains("does not speak TLS");
        });
    }

    @Test
    void a401IsAnAccessDeniedExceptionAskedOnce() throws Exception {
        ScriptedNode master = secureMaster(node, false, request -> Reply.error(401, "UNAUTHENTICATED"));
        SynodClient synod = client(SynodClient.builder().endpoints(List.of(master.url()))
                .trustCertificates(ca.caCertificate()));

        assertThatThrownBy(() -> synod.put("greeting", "hello"))
                .isInstanceOfSatisfying(AccessDeniedException.class, denied -> {
                    assertThat(denied.status()).isEqualTo(401);
                    assertThat(denied.code()).isEqualTo("UNAUTHENTICATED");
                    assertThat(denied.getMessage()).isEqualTo(
                            "PUT /v1/kv/greeting: scripted UNAUTHENTICATED (401 UNAUTHENTICATED)");
                });
        assertThat(master.requests()).hasSize(1);
    }

    @Test
    void a403IsAnAccessDeniedExceptionAskedOnce() throws Exception {
        ScriptedNode master = secureMaster(node, false, request -> request.method().equals("GET")
                ? Reply.json(200, "v", "ETag", "\"1\"") : Reply.error(403, "FORBIDDEN"));
        SynodClient synod = client(SynodClient.builder().endpoints(List.of(master.url()))
                .trustCertificates(ca.caCertificate()).token("read-only"));

        assertThat(synod.get("greeting")).isPresent();
        assertThatThrownBy(() -> synod.delete("greeting"))
                .isInstanceOfSatisfying(AccessDeniedException.class, denied -> {
                    assertThat(denied.status()).isEqualTo(403);
                    assertThat(denied.code()).isEqualTo("FORBIDDEN");
                });
        assertThat(master.requests()).hasSize(2);
    }

    @Test
    void theBuilderRefusesWhatWouldDoNothingOrCannotBeSent() throws Exception {
        assertThatThrownBy(() -> SynodClient.builder().endpoints("http://127.0.0.1:1")
                .trustCertificates(ca.caCertificate()).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("https://");
        assertThatThrownBy(() -> SynodClient.builder().token("two words")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("two words");
        assertThatThrownBy(() -> SynodClient.builder().token("")).isInstanceOf(IllegalArgumentException.class);
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        assertThatThrownBy(() -> SynodClient.builder().endpoints("https://127.0.0.1:1").trustCertificates(notPem)
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(notPem.toString());
    }
}
