package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.net.tls.CertificateMaker;
import io.synod.net.tls.TlsFiles;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API with {@code --tls-*} and {@code --auth-tokens-file}: HTTPS only, bearer tokens and their roles, forwarding
 * from a follower to the master over HTTPS with the client's token, and re-reading the tokens file.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpSecurityTest {
    static final String ADMIN = "admin-0123456789abcdef";
    static final String READER = "reader-0123456789abcdef";
    static final String WRITER = "writer-0123456789abcdef";

    @TempDir
    static Path dir;

    static Path pki;
    static Path tokens;
    static LocalCluster cluster;
    static SSLContext trustingCa;

    @BeforeAll
    static void start() throws Exception {
        pki = dir.resolve("pki");
        CertificateMaker.writeCluster(pki, 3, List.of());
        tokens = Files.writeString(dir.resolve("tokens"), "# comment\n\n" + ADMIN + " admin\n" + READER + " read\n"
                + WRITER + "\twrite\n");
        trustingCa = trusting(pki.resolve("ca.crt"));
        cluster = LocalCluster.start(dir.resolve("nodes"), 3, config -> config.withElection("paxoslease",
                ServerConfig.LEASE_MS_DEFAULT, ServerConfig.MAX_DRIFT_MS_DEFAULT).withSecurity(
                new ServerConfig.Security(new TlsFiles(pki.resolve("node-" + (config.nodeId() + 1) + ".crt"),
                        pki.resolve("node-" + (config.nodeId() + 1) + ".key"), pki.resolve("ca.crt")), null, tokens)));
        cluster.access(trustingCa, ADMIN);
        cluster.awaitConnected();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Http as(int node, String token) {
        return new Http(cluster.url(node), trustingCa, token);
    }

    private static int master() {
        for (int attempt = 0; attempt < 200; attempt++) {
            for (int id = 0; id < 3; id++) {
                if ("master".equals(as(id, ADMIN).status().get("role").asText())) {
                    return id;
                }
            }
            sleep(50);
        }
        throw new AssertionError("no master");
    }

    @Test
    void theApiIsHttpsAndPlainHttpHearsWhy() throws Exception {
        assertThat(cluster.url(0)).startsWith("https://");
        assertThat(as(0, ADMIN).get("/v1/status").status()).isEqualTo(200);
        try (RawHttp plain = new RawHttp(cluster.httpAddress(0))) {
            RawHttp.Reply reply = plain.exchange("GET", "/v1/status", null);
            assertThat(reply.status()).isEqualTo(400);
            assertThat(reply.text()).contains("\"code\":\"HTTPS_REQUIRED\"").contains(cluster.url(0));
            assertThat(plain.closedByServer()).isTrue();
        }
    }

    @Test
    void aClientThatDoesNotTrustTheClusterCaCannotConnect() {
        Http untrusting = new Http(cluster.url(0), null, ADMIN);
        assertThatThrownBy(() -> untrusting.get("/v1/status")).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void withoutAListedTokenEveryPathIs401() {
        for (String path : List.of("/v1/status", "/v1/kv/a", "/v1/kv?prefix=", "/v1/log/0", "/metrics", "/")) {
            for (String token : new String[] {null, "wrong-token-0123456789"}) {
                Http.Reply reply = as(1, token).get(path);
                assertThat(reply.status()).as("%s with %s", path, token).isEqualTo(401);
                assertThat(reply.json().get("code").asText()).isEqualTo("UNAUTHENTICATED");
                assertThat(reply.header("WWW-Authenticate")).hasValue("Bearer realm=\"synod\"");
                assertThat(reply.text()).doesNotContain("wrong-token");
            }
        }
        assertThat(as(1, null).put("/v1/kv/anon", "x").status()).isEqualTo(401);
        assertThat(as(1, "Basic " + ADMIN).get("/v1/status").status()).as("only Bearer counts").isEqualTo(401);
    }

    @Test
    void aReadTokenReadsButCannotWriteAndAWriteTokenWritesThroughAFollower() {
        int master = master();
        int follower = (master + 1) % 3;
        assertThat(as(follower, WRITER).put("/v1/kv/roles", "by the writer").status()).as("forwarded with its token")
                .isEqualTo(200);
        Http reader = as(follower, READER);
        Http.Reply read = reader.get("/v1/kv/roles");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text()).isEqualTo("by the writer");
        assertThat(reader.get("/metrics").status()).isEqualTo(200);
        assertThat(reader.get("/").status()).isEqualTo(200);
        for (Http.Reply refused : List.of(reader.put("/v1/kv/roles", "by the reader"), reader.delete("/v1/kv/roles"))) {
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().get("code").asText()).isEqualTo("FORBIDDEN");
        }
        assertThat(as(master, READER).get("/v1/kv/roles").text()).as("nothing changed").isEqualTo("by the writer");
        assertThat(as(follower, ADMIN).delete("/v1/kv/roles").status()).as("admin includes write").isEqualTo(200);
    }

    @Test
    void theTokensFileIsReadAgainOnReloadAndABadOneKeepsTheOldTokens() throws Exception {
        Path file = tokens;
        String original = Files.readString(file);
        String added = "added-0123456789abcdef";
        try {
            Files.writeString(file, ADMIN + " admin\n" + added + " read\n");
            for (int id = 0; id < 3; id++) {
                assertThat(cluster.server(id).reloadTokens()).isTrue();
            }
            assertThat(as(0, added).get("/v1/status").status()).isEqualTo(200);
            assertThat(as(0, READER).get("/v1/status").status()).as("removed from the file").isEqualTo(401);

            Files.writeString(file, ADMIN + " admin\n" + READER + " superuser\n");
            assertThat(cluster.server(0).reloadTokens()).isFalse();
            assertThat(as(0, added).get("/v1/status").status()).as("the old tokens stay").isEqualTo(200);
        } finally {
            Files.writeString(file, original, StandardCharsets.UTF_8);
            for (int id = 0; id < 3; id++) {
                cluster.server(id).reloadTokens();
            }
        }
    }

    static SSLContext trusting(Path caPem) throws Exception {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
