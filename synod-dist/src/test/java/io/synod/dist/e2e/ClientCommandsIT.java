package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.synod.dist.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client commands ({@code put get delete list status log}) against three real {@code synod server} processes:
 * in this JVM through {@link Main#run}, and once as a process of the jar, with {@code SYNOD_ENDPOINTS} and a value on
 * stdin.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientCommandsIT extends ClusterTestBase {
    private String endpoints;

    /** What one command did. */
    private record Run(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return NodeClient.JSON.readTree(stdout);
            } catch (IOException notJson) {
                throw new AssertionError("not JSON: " + out(), notJson);
            }
        }
    }

    private Run synod(byte[] stdin, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--endpoints")) {
            all.add("--endpoints");
            all.add(endpoints);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int exit = Main.run(all.toArray(String[]::new), new ByteArrayInputStream(stdin), out,
                new PrintWriter(err, true));
        return new Run(exit, out.toByteArray(), err.toString());
    }

    private Run synod(String... args) {
        return synod(new byte[0], args);
    }

    private Run ok(String... args) {
        Run run = synod(args);
        assertThat(run.exit()).as("synod %s: %s", String.join(" ", args), run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        return run;
    }

    private Run failed(String... args) {
        Run run = synod(args);
        assertThat(run.exit()).as("synod %s: %s", String.join(" ", args), run.out()).isEqualTo(1);
        assertThat(run.stderr().strip().lines()).as("one line on stderr").hasSize(1);
        assertThat(run.stderr()).startsWith("synod: ");
        return run;
    }

    @Test
    void everyClientCommandAgainstARealCluster() throws Exception {
        newCluster(3, List.of("--lease-ms", "1000", "--max-drift-ms", "100", "--request-timeout-ms", "2000"));
        for (int id = 0; id < 3; id++) {
            cluster.start(id);
        }
        endpoints = cluster.url(0) + "," + cluster.url(1) + "," + cluster.url(2);
        int master = awaitMaster(Duration.ofSeconds(30));

        // put and get, plain and --json
        assertThat(ok("put", "greeting", "hello").out()).startsWith("written: version ");
        assertThat(ok("get", "greeting").out()).isEqualTo("hello");
        JsonNode read = ok("get", "greeting", "--json").json();
        assertThat(read.get("key").asText()).isEqualTo("greeting");
        assertThat(read.get("value").asText()).isEqualTo("hello");
        long version = read.get("version").asLong();
        assertThat(read.get("slot").asLong()).isNotNegative();

        // conditions: --if-version, --create-only (412 is exit 1), the idempotency key
        JsonNode hi = ok("put", "greeting", "hi", "--if-version", Long.toString(version), "--json").json();
        assertThat(hi.get("version").asLong()).isGreaterThan(version);
        assertThat(failed("put", "greeting", "no", "--if-version", Long.toString(version)).stderr())
                .contains("PRECONDITION").doesNotContain("Exception");
        failed("put", "greeting", "no", "--create-only");
        ok("put", "created", "yes", "--create-only");
        JsonNode first = ok("put", "order/17", "paid", "--idempotency-key", "cli-17", "--json").json();
        assertThat(ok("put", "order/17", "paid", "--idempotency-key", "cli-17", "--json").json())
                .as("the same key again: applied once, answered as the first time").isEqualTo(first);
        assertThat(failed("put", "order/18", "paid", "--idempotency-key", "cli-17").stderr())
                .contains("Idempotency-Key");

        // a value from stdin, bytes that are not UTF-8 come back raw
        byte[] binary = {0, (byte) 0xff, 10, 'x'};
        assertThat(synod(binary, "put", "binary", "-").exit()).isZero();
        assertThat(ok("get", "binary").stdout()).isEqualTo(binary);
        assertThat(ok("get", "binary", "--json").json().get("valueBase64").asText()).isEqualTo("AP8KeA==");

        // consistencies and min-slot
        long slot = first.get("slot").asLong();
        for (String consistency : List.of("linearizable", "quorum", "stale", "STALE")) {
            assertThat(ok("get", "greeting", "--consistency", consistency, "--min-slot", Long.toString(slot)).out())
                    .as(consistency).isEqualTo("hi");
        }

        // list, with --limit and --json
        ok("put", "gr/b", "2");
        ok("put", "gr/a", "1");
        assertThat(ok("list", "gr/").out().lines()).hasSize(2).first().asString().startsWith("gr/a\t")
                .endsWith("\t1");
        assertThat(ok("list", "gr/", "--limit", "1").out().lines()).hasSize(1);
        JsonNode list = ok("list", "gr/", "--json").json();
        assertThat(list.get("items")).hasSize(2);
        assertThat(list.get("slot").asLong()).isPositive();

        // delete, and a get of what is gone (exit 1)
        assertThat(ok("delete", "created").out()).startsWith("deleted: ");
        assertThat(ok("delete", "created", "--json").json().get("deleted").asBoolean()).isFalse();
        assertThat(failed("get", "created").stderr()).contains("no such key");

        // log: the slot of the first order/17 write
        assertThat(ok("log", Long.toString(slot)).out()).contains("\"order/17\"").contains("\"put\"");
        assertThat(ok("log", Long.toString(slot), "--json").json().get("slot").asLong()).isEqualTo(slot);
        failed("log", "1000000");

        // status: a row per endpoint, the unreachable one too, exit 0 while one answered
        String dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = "http://127.0.0.1:" + socket.getLocalPort();
        }
        String withDead = endpoints + "," + dead;
        Run status = synod("status", "--endpoints", withDead);
        assertThat(status.exit()).as(status.stderr()).isZero();
        List<String> rows = status.out().lines().toList();
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0)).contains("NODE").contains("ROLE").contains("LEASE-MS").contains("APPLIED");
        assertThat(rows.get(1 + master)).contains(cluster.url(master)).contains("master").contains("yes");
        assertThat(rows.get(4)).contains(dead).contains("no (cannot connect)");
        JsonNode statusJson = synod("status", "--json", "--endpoints", withDead).json();
        assertThat(statusJson).hasSize(4);
        assertThat(statusJson.get(master).get("status").get("role").asText()).isEqualTo("master");
        assertThat(statusJson.get(3).get("reachable").asBoolean()).isFalse();

        // the jar as a process: SYNOD_ENDPOINTS, a value on stdin, the raw value on stdout
        assertThat(process("hello from stdin", "put", "piped", "-")).isEqualTo("");
        assertThat(process("", "get", "piped")).isEqualTo("hello from stdin");
    }

    /** Runs {@code java -jar synod.jar ARGS} with SYNOD_ENDPOINTS and {@code stdin}; returns stdout, or fails. */
    private String process(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessCluster.javaExecutable(), "-Xmx64m",
                "-XX:TieredStopAtLevel=1", "-jar", ProcessCluster.jar().toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("cli.out");
        Path err = dir.resolve("cli.err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("SYNOD_ENDPOINTS", endpoints);
        Process process = builder.start();
        try {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as("synod %s: %s", String.join(" ", args), Files.readString(err))
                    .isZero();
            String printed = Files.readString(out);
            return args[0].equals("put") ? printed.replaceFirst("written: version \\d+, slot \\d+\\R", "") : printed;
        } finally {
            process.destroyForcibly();
        }
    }
}
