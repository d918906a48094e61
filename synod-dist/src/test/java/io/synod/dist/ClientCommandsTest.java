package io.synod.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands' usage errors (exit 2, one line on stderr, before any request) and what they do when no node
 * can be reached (exit 1, one line). Against a real cluster: {@code ClientCommandsIT}.
 */
class ClientCommandsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static String deadEndpoint() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    private void assertUsageError(String... args) {
        assertThat(run(args)).as("exit of %s", String.join(" ", args)).isEqualTo(2);
        assertThat(err.toString().strip().lines()).as("stderr of %s", String.join(" ", args)).hasSize(1);
        err.getBuffer().setLength(0);
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        assertUsageError("put", "k");
        assertUsageError("put", "k", "v", "--if-version", "3", "--create-only");
        assertUsageError("put", "k", "v", "--if-version", "-3");
        assertUsageError("put", "k", "v", "--idempotency-key", "");
        assertUsageError("put", "k", "v", "--frobnicate");
        assertUsageError("get");
        assertUsageError("get", "k", "--consistency", "sometimes");
        assertUsageError("get", "k", "--min-slot", "-1");
        assertUsageError("get", "k", "--endpoints", "ftp://127.0.0.1:1");
        assertUsageError("get", "k", "--endpoints", "http://127.0.0.1:1,,http://127.0.0.1:2");
        assertUsageError("get", "k", "--budget-ms", "0");
        assertUsageError("delete", "k", "--create-only");
        assertUsageError("list", "p", "--limit", "0");
        assertUsageError("list", "p", "--limit", "10001");
        assertUsageError("log", "x");
        assertUsageError("status", "extra");
    }

    @Test
    void theHelpNamesTheDefaultEndpoints() {
        assertThat(run("get", "--help")).isZero();
        assertThat(out.toString()).contains("--consistency").contains("SYNOD_ENDPOINTS")
                .contains("http://127.0.0.1:7101");
    }

    @Test
    void noReachableNodeExitsOneWithOneLine() throws IOException {
        String dead = deadEndpoint();
        assertThat(run("get", "k", "--endpoints", dead, "--budget-ms", "300", "--consistency", "STALE")).isEqualTo(1);
        assertThat(err.toString().strip().lines()).singleElement().asString().startsWith("synod: ")
                .contains("cannot connect");
        err.getBuffer().setLength(0);
        assertThat(run("put", "k", "v", "--endpoints", dead, "--budget-ms", "300")).isEqualTo(1);
        assertThat(err.toString().strip().lines()).hasSize(1);
        err.getBuffer().setLength(0);
        assertThat(run("put", "--endpoints", dead, "--budget-ms", "300", "k", "--", "-5"))
                .as("a value that starts with - after --: parsed, then no node could be reached").isEqualTo(1);
        assertThat(err.toString()).contains("cannot connect");
    }

    @Test
    void statusPrintsARowForAnEndpointThatDidNotAnswerAndExitsOneIfNoneDid() throws IOException {
        String dead = deadEndpoint();
        assertThat(run("status", "--endpoints", dead)).isEqualTo(1);
        assertThat(out.toString().lines()).hasSize(2);
        assertThat(out.toString().lines().toList().get(1)).contains(dead).contains("no (cannot connect)");
        assertThat(err.toString().strip().lines()).singleElement().asString().contains("no endpoint answered");
    }

    @Test
    void theSecurityFlagsAreCheckedBeforeAnyRequest(@TempDir Path dir) {
        io.synod.net.tls.CertificateMaker.writeCluster(dir, 1, List.of());
        String ca = dir.resolve("ca.crt").toString();
        assertUsageError("get", "k", "--cert", dir.resolve("client.crt").toString());
        assertUsageError("get", "k", "--key", dir.resolve("client.key").toString());
        assertUsageError("get", "k", "--ca", dir.resolve("missing.crt").toString());
        assertUsageError("get", "k", "--ca", ca, "--endpoints", "http://127.0.0.1:1");
        assertUsageError("get", "k", "--token", "two words");
        assertUsageError("get", "k", "--ca", ca, "--cert", dir.resolve("client.crt").toString(), "--key",
                dir.resolve("node-1.key").toString());
    }

    @Test
    void overHttpsWithATokenAndWithoutOne(@TempDir Path dir) throws Exception {
        io.synod.net.tls.CertificateMaker.writeCluster(dir, 1, List.of());
        String ca = dir.resolve("ca.crt").toString();
        try (HttpsStub node = new HttpsStub(dir, "t0ken")) {
            assertThat(run("put", "k", "v", "--endpoints", node.url(), "--ca", ca, "--token", "t0ken")).isZero();
            assertThat(out.toString()).contains("written: version 2, slot 1");
            assertThat(node.authorizations).isNotEmpty().allMatch(header -> header.equals("Bearer t0ken"));

            assertThat(run("get", "k", "--endpoints", node.url(), "--ca", ca)).isEqualTo(1);
            assertThat(err.toString().strip().lines()).singleElement().asString()
                    .isEqualTo("synod: GET /v1/kv/k: a valid Authorization: Bearer token is required "
                            + "(401 UNAUTHENTICATED)");
            err.getBuffer().setLength(0);

            assertThat(run("status", "--endpoints", node.url(), "--ca", ca, "--token", "wrong")).isEqualTo(1);
            assertThat(err.toString().strip().lines()).singleElement().asString().contains("401 UNAUTHENTICATED");
            err.getBuffer().setLength(0);

            io.synod.net.tls.CertificateMaker.writeCluster(dir.resolve("other"), 1, List.of());
            assertThat(run("get", "k", "--endpoints", node.url(), "--ca", dir.resolve("other/ca.crt").toString(),
                    "--token", "t0ken")).as("a CA that did not sign the node").isEqualTo(1);
            assertThat(err.toString().strip().lines()).singleElement().asString().contains("TLS_FAILED");
        }
    }
}
