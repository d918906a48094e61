package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.client.PemFiles;
import io.synod.net.tls.CertificateMaker;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Peer and client security across real processes: a node without the right credentials cannot join a cluster, and
 * the cluster keeps serving; a recorded Hello cannot be replayed; the API asks for tokens and honours their roles.
 * Nodes 0 and 1 are always configured right (a majority of three); node 2 is started with each wrong credential in
 * turn and must stay out.
 */
class SecurityIT extends ClusterTestBase {
    private static final String ADMIN = "admin-token-7f3a9c1e5b2d4f60";
    private static final String READER = "read-token-0c8e2a4b6d1f3e57";
    private static final String WRITER = "write-token-5a7c9e1b3d5f7a92";

    private Path pki;
    private CertificateMaker ca;
    private Path secret;
    private Path tokens;

    @BeforeEach
    void credentials() throws IOException {
        pki = dir.resolve("pki");
        Files.createDirectories(pki);
        ca = CertificateMaker.newCa("SecurityIT CA", Duration.ofDays(1));
        CertificateMaker.writeCertificate(pki.resolve("ca.crt"), ca.caCertificate());
        for (int node = 1; node <= 3; node++) {
            write(ca.issue("synod-node-" + node, CertificateMaker.loopbackNames(), true), pki, "node-" + node);
        }
        secret = Files.writeString(dir.resolve("secret"), "the cluster secret, 32 bytes long\n");
        tokens = Files.writeString(dir.resolve("tokens"), "# test tokens\n" + ADMIN + " admin\n" + READER
                + " read\n" + WRITER + " write\n");
    }

    private List<String> tls(Path certificate, Path key, Path ca) {
        return List.of("--tls-cert", certificate.toString(), "--tls-key", key.toString(), "--tls-ca", ca.toString());
    }

    /** Every credential node {@code id} (0-based) should have. */
    private List<String> secure(int id, Path secretFile) {
        List<String> args = new ArrayList<>(tls(pki.resolve("node-" + (id + 1) + ".crt"),
                pki.resolve("node-" + (id + 1) + ".key"), pki.resolve("ca.crt")));
        args.addAll(List.of("--cluster-secret-file", secretFile.toString(), "--auth-tokens-file", tokens.toString()));
        return args;
    }

    private ProcessCluster secureCluster() {
        ProcessCluster cluster = newCluster(3, List.of());
        for (int id = 0; id < 3; id++) {
            cluster.nodeArgs(id, secure(id, secret));
        }
        cluster.access(PemFiles.sslContext(pki.resolve("ca.crt"), null, null), ADMIN);
        return cluster;
    }

    @Test
    void aNodeWithoutTheRightCredentialsCannotJoinAndTheClusterKeepsServing() throws IOException {
        ProcessCluster cluster = secureCluster();
        cluster.start(0);
        cluster.start(1);
        awaitMaster(Duration.ofSeconds(30), 2);
        putEventually(node(0), "before", "0", Duration.ofSeconds(20));

        Path otherPki = dir.resolve("other-pki");
        CertificateMaker.writeCluster(otherPki, 3, List.of());
        // Signed by the cluster's CA but naming another host than the address node 2 is dialled at.
        Path misnamed = dir.resolve("misnamed");
        Files.createDirectories(misnamed);
        write(ca.issue("synod-node-3", List.of("other.invalid"), true), misnamed, "node");

        List<Wrong> wrongs = new ArrayList<>();
        wrongs.add(new Wrong("a certificate from another CA", "TLS handshake", concat(tls(otherPki.resolve("node-3.crt"),
                otherPki.resolve("node-3.key"), otherPki.resolve("ca.crt")), rest())));
        wrongs.add(new Wrong("no certificate (no TLS)", "TLS handshake", rest()));
        wrongs.add(new Wrong("a certificate that does not name its address", "does not name", concat(tls(misnamed.resolve("node.crt"),
                misnamed.resolve("node.key"), pki.resolve("ca.crt")), rest())));
        Path otherSecret = Files.writeString(dir.resolve("other-secret"), "not the cluster secret, but as long\n");
        wrongs.add(new Wrong("the wrong secret", "secret", secure(2, otherSecret)));

        int round = 0;
        for (Wrong wrong : wrongs) {
            round++;
            int[] before = {count(cluster, 0, wrong.refusal()), count(cluster, 1, wrong.refusal())};
            cluster.nodeArgs(2, wrong.args());
            cluster.launch(2);
            // The good nodes log the refusal (each dials node 2: the lower id dials) and keep serving.
            await("a refusal of node 2 with " + wrong.what()).atMost(Duration.ofSeconds(30))
                    .until(() -> count(cluster, 0, wrong.refusal()) > before[0]
                            && count(cluster, 1, wrong.refusal()) > before[1]);
            for (int i = 0; i < 5; i++) {
                putEventually(node(i % 2), "k" + round + "-" + i, wrong.what(), Duration.ofSeconds(20));
            }
            assertThat(cluster.isRunning(2)).as("node 2 with %s runs (it is only kept out)", wrong.what()).isTrue();
            assertThat(node(0).status().toString()).as("node 0 does not see node 2 with %s", wrong.what())
                    .contains("{\"id\":2,\"reachable\":false");
            cluster.kill(2);
        }
        // With the right credentials node 2 joins and catches up.
        cluster.nodeArgs(2, secure(2, secret));
        cluster.start(2);
        awaitSameApplied(List.of(0, 1, 2), Duration.ofSeconds(30));
    }

    /** A wrong credential for node 2, and what the good nodes' refusal lines say. */
    private record Wrong(String what, String refusal, List<String> args) {}

    private List<String> rest() {
        return List.of("--cluster-secret-file", secret.toString(), "--auth-tokens-file", tokens.toString());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** WARN lines of node {@code id}'s log so far that contain {@code text}. */
    private static int count(ProcessCluster cluster, int id, String text) {
        int n = 0;
        for (String line : cluster.log(id).lines().toList()) {
            if (line.contains(" WARN ") && line.contains(text)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aRecordedHelloReplayedOnANewConnectionIsRefused() throws Exception {
        // Without TLS the bytes of the handshake can be recorded on the wire; the secret still keeps the replay out.
        ProcessCluster cluster = newCluster(3, List.of("--cluster-secret-file", secret.toString()));
        cluster.start(0);
        cluster.start(1);
        cluster.start(2);
        awaitMaster(Duration.ofSeconds(30));
        byte[] recorded = cluster.recordedDial(0, 1);
        assertThat(recorded).as("node 0's first bytes to node 1").isNotEmpty();
        String logBefore = cluster.log(1);

        try (Socket replay = new Socket(cluster.peerAddress(1).getAddress(), cluster.peerAddress(1).getPort())) {
            replay.setSoTimeout(10_000);
            replay.getOutputStream().write(recorded);
            replay.getOutputStream().flush();
            InputStream in = replay.getInputStream();
            byte[] buffer = new byte[4096];
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (in.read(buffer) >= 0) {
                assertThat(System.nanoTime()).as("node 1 closes the replaying connection").isLessThan(deadline);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.log(1).length() > logBefore.length()
                && cluster.log(1).substring(logBefore.length()).contains("secret"));
        // The real node 0 is still connected and the cluster serves.
        putEventually(node(0), "after-replay", "ok", Duration.ofSeconds(20));
        awaitSameApplied(List.of(0, 1, 2), Duration.ofSeconds(30));
    }

    @Test
    void theApiAsksForATokenAndHonoursItsRole() throws Exception {
        ProcessCluster cluster = secureCluster();
        cluster.start(0);
        cluster.start(1);
        cluster.start(2);
        int master = awaitMaster(Duration.ofSeconds(30));
        int follower = (master + 1) % 3;
        putEventually(node(master), "k", "v", Duration.ofSeconds(20));

        String expected = "v";
        for (int id : new int[] {master, follower}) {
            NodeClient.Reply anonymous = cluster.client(id, null).get("/v1/kv/k");
            assertThat(anonymous.status()).as("no token on node %d: %s", id, anonymous).isEqualTo(401);
            assertThat(anonymous.json().get("code").asText()).isEqualTo("UNAUTHENTICATED");
            assertThat(cluster.client(id, "not-a-token").get("/metrics").status()).isEqualTo(401);

            NodeClient reader = cluster.client(id, READER);
            NodeClient.Reply read = reader.get("/v1/kv/k");
            assertThat(read.status()).as("read token reads on node %d: %s", id, read).isEqualTo(200);
            assertThat(read.text()).isEqualTo(expected);
            assertThat(reader.get("/metrics").status()).isEqualTo(200);
            NodeClient.Reply refused = reader.put("k", "by a reader");
            assertThat(refused.status()).as("read token writes on node %d: %s", id, refused).isEqualTo(403);
            assertThat(refused.json().get("code").asText()).isEqualTo("FORBIDDEN");

            NodeClient.Reply written = cluster.client(id, WRITER).put("k", "by a writer on " + id);
            assertThat(written.status()).as("write token writes on node %d: %s", id, written).isEqualTo(200);
            expected = "by a writer on " + id;
        }
        assertThat(cluster.client(master, READER).get("/v1/kv/k").text()).isEqualTo("by a writer on " + follower);
        // synod bench speaks HTTPS with a token too (the figures of docs/benchmarks.md use it).
        Path out = dir.resolve("bench.json");
        Process bench = new ProcessBuilder(ProcessCluster.javaExecutable(), "-Xmx128m", "-XX:+UseSerialGC", "-jar",
                ProcessCluster.jar().toString(), "bench", "--endpoints", cluster.url(follower), "--duration", "2",
                "--warmup", "0", "--clients", "4", "--read-ratio", "0.5", "--keys", "50", "--json",
                "--ca", pki.resolve("ca.crt").toString(), "--token", WRITER)
                .redirectOutput(out.toFile()).redirectError(dir.resolve("bench.err").toFile()).start();
        try {
            assertThat(bench.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            bench.destroyForcibly();
            throw new IllegalStateException(e);
        }
        String report = Files.readString(out);
        assertThat(bench.exitValue()).as("bench: %s %s", report, Files.readString(dir.resolve("bench.err")))
                .isZero();
        assertThat(NodeClient.JSON.readTree(report).at("/errors/total").asLong()).as(report).isZero();
        assertThat(NodeClient.JSON.readTree(report).at("/write/ops").asLong()).as(report).isPositive();

        for (int id = 0; id < 3; id++) {
            assertThat(cluster.log(id)).as("node %d's log", id).doesNotContain(READER).doesNotContain(WRITER)
                    .doesNotContain(ADMIN).doesNotContain("not-a-token");
        }
    }

    @Test
    void plainHttpToTheSecurePortIsRefusedInTheErrorShape() throws IOException {
        ProcessCluster cluster = secureCluster();
        cluster.start(0);
        try (Socket plain = new Socket("127.0.0.1", Integer.parseInt(cluster.url(0).replaceAll(".*:", "")))) {
            plain.setSoTimeout(5_000);
            plain.getOutputStream().write("GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(plain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("\"code\":\"HTTPS_REQUIRED\"");
        }
    }

    private static void write(CertificateMaker.Issued issued, Path dir, String name) throws IOException {
        CertificateMaker.writeCertificate(dir.resolve(name + ".crt"), issued.certificate());
        CertificateMaker.writeKey(dir.resolve(name + ".key"), issued.keys());
    }
}
