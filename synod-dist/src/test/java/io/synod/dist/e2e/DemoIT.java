package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.client.PemFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code synod demo} as a process: it prints its nodes, they serve, and SIGTERM stops them all and cleans up. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoIT {
    private static final Pattern NODE_LINE = Pattern.compile(
            "\\s*node (\\d+)\\s+(http://127\\.0\\.0\\.1:\\d+)\\s+pid (\\d+)\\s+log (\\S+)(\\s+<- master)?");
    private static final Pattern DATA_LINE = Pattern.compile("Data dirs: (\\S+) \\(deleted on exit\\)\\..*");

    @TempDir
    Path dir;

    @Test
    void demoStartsThreeNodesThatServeAndSigtermStopsThemAndDeletesItsDataDirs() throws Exception {
        int basePort = freeBasePort(3);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of(ProcessCluster.javaExecutable(), "-Xmx128m",
                "-Djava.io.tmpdir=" + tmp, "-jar", ProcessCluster.jar().toString(), "demo", "--nodes", "3",
                "--base-port", Integer.toString(basePort)));
        // Output to a file, not a pipe: the JDK drains a pipe of an exited process only once, racing its last lines.
        Path outputFile = dir.resolve("demo.out");
        Process demo = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(outputFile.toFile()).start();
        java.util.function.Supplier<List<String>> output = () -> {
            try {
                return Files.readAllLines(outputFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return List.of();
            }
        };
        Map<Integer, String> urls = new TreeMap<>();
        Map<Integer, Long> pids = new TreeMap<>();
        List<Integer> masters = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!demo.isAlive()) {
                    throw new AssertionError("the demo exited with " + demo.exitValue() + ":\n"
                            + String.join("\n", output.get()));
                }
                return output.get().stream().anyMatch(line -> DATA_LINE.matcher(line).matches());
            });
            Path dataRoot = null;
            for (String line : output.get()) {
                Matcher node = NODE_LINE.matcher(line);
                if (node.matches()) {
                    urls.put(Integer.parseInt(node.group(1)), node.group(2));
                    pids.put(Integer.parseInt(node.group(1)), Long.parseLong(node.group(3)));
                    if (node.group(5) != null) {
                        masters.add(Integer.parseInt(node.group(1)));
                    }
                }
                Matcher data = DATA_LINE.matcher(line);
                if (data.matches()) {
                    dataRoot = Path.of(data.group(1));
                }
            }
            assertThat(urls).as("printed URLs in\n%s", String.join("\n", output.get())).containsOnlyKeys(0, 1, 2);
            assertThat(urls.get(0)).isEqualTo("http://127.0.0.1:" + basePort);
            assertThat(masters).as("one node is marked master in\n%s", String.join("\n", output.get())).hasSize(1);
            int master = masters.get(0);
            assertThat(new NodeClient(urls.get(master)).status().get("role").asText()).isEqualTo("master");
            assertThat(dataRoot).isNotNull();
            assertThat(dataRoot.startsWith(tmp)).as("the demo's data dirs are in its temporary directory").isTrue();
            assertThat(Files.isDirectory(dataRoot)).isTrue();
            for (long pid : pids.values()) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).hasValue(true);
            }

            NodeClient first = new NodeClient(urls.get(0));
            NodeClient last = new NodeClient(urls.get(2));
            long version = ClusterTestBase.putEventuallyAnswer(first, "greeting", "hello from the demo",
                    Duration.ofSeconds(60)).get("version").asLong();
            NodeClient.Reply read = last.get("/v1/kv/greeting");
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.text()).isEqualTo("hello from the demo");
            assertThat(read.header("ETag")).as("the ETag is the version the PUT answered").hasValue("\"" + version + "\"");

            // The tour's step: kill -9 the master; the demo sees a new one take over and says which.
            ProcessHandle.of(pids.get(master)).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                    output.get().stream().anyMatch(line -> line.matches("node \\d is master now, \\d+ ms later.*")));
            String takeover = output.get().stream().filter(line -> line.contains("is master now")).findFirst()
                    .orElseThrow();
            System.out.println("demo: " + takeover);
            assertThat(takeover).doesNotStartWith("node " + master + " ");
            NodeClient survivor = new NodeClient(urls.get((master + 1) % 3));
            ClusterTestBase.putEventuallyAnswer(survivor, "greeting", "still here", Duration.ofSeconds(30));
            assertThat(survivor.get("/v1/kv/greeting").text()).isEqualTo("still here");

            demo.destroy(); // SIGTERM, as Ctrl-C would
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo exits after SIGTERM").isTrue();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                    pids.values().stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                            .orElse(false)));
            Path root = dataRoot;
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !Files.exists(root));
            assertThat(output.get()).as("it says it stopped the nodes")
                    .anyMatch(line -> line.contains("stopped 3 nodes"));
        } finally {
            demo.destroyForcibly();
            for (long pid : pids.values()) {
                Optional<ProcessHandle> node = ProcessHandle.of(pid);
                node.ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void theSecureDemoServesHttpsWithTokensOnly() throws Exception {
        int basePort = freeBasePort(3);
        Path tmp = Files.createDirectories(dir.resolve("tmp-secure"));
        Path outputFile = dir.resolve("demo-secure.out");
        Process demo = new ProcessBuilder(ProcessCluster.javaExecutable(), "-Xmx128m", "-Djava.io.tmpdir=" + tmp,
                "-jar", ProcessCluster.jar().toString(), "demo", "--secure", "--nodes", "3", "--base-port",
                Integer.toString(basePort)).redirectErrorStream(true).redirectOutput(outputFile.toFile()).start();
        java.util.function.Supplier<String> output = () -> {
            try {
                return Files.readString(outputFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        };
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!demo.isAlive()) {
                    throw new AssertionError("the demo exited with " + demo.exitValue() + ":\n" + output.get());
                }
                return output.get().contains("Data dirs: ");
            });
            String text = output.get();
            Matcher ca = Pattern.compile("export SYNOD_CA=(\\S+)").matcher(text);
            Matcher admin = Pattern.compile("export SYNOD_TOKEN=(\\S+)").matcher(text);
            Matcher reader = Pattern.compile("read token\\s+(\\S+)").matcher(text);
            assertThat(ca.find() && admin.find() && reader.find()).as("the exports in\n%s", text).isTrue();
            String url = "https://127.0.0.1:" + basePort;
            assertThat(text).contains("node 0  " + url).contains("export SYNOD_ENDPOINTS=" + url);
            java.net.http.HttpClient https = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .sslContext(PemFiles.sslContext(Path.of(ca.group(1)), null, null)).build();
            NodeClient asAdmin = new NodeClient(url, Duration.ofSeconds(20), https, admin.group(1));
            ClusterTestBase.putEventually(asAdmin, "greeting", "hello, securely", Duration.ofSeconds(60));
            NodeClient asReader = new NodeClient(url, Duration.ofSeconds(20), https, reader.group(1));
            assertThat(asReader.get("/v1/kv/greeting").text()).isEqualTo("hello, securely");
            assertThat(asReader.put("greeting", "no").status()).isEqualTo(403);
            assertThat(new NodeClient(url, Duration.ofSeconds(20), https, null).get("/v1/status").status())
                    .isEqualTo(401);
            demo.destroy();
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo exits after SIGTERM").isTrue();
            // Its nodes are gone (and their ports free) before the next test picks ports.
            Matcher node = Pattern.compile("  pid (\\d+)  ").matcher(output.get());
            while (node.find()) {
                long id = Long.parseLong(node.group(1));
                await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(id).map(h -> !h.isAlive())
                        .orElse(true));
            }
        } finally {
            demo.destroyForcibly();
            Matcher pid = Pattern.compile("  pid (\\d+)  ").matcher(output.get());
            while (pid.find()) {
                ProcessHandle.of(Long.parseLong(pid.group(1))).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** A port P such that P..P+n-1 and P+100..P+100+n-1 are free on loopback now. */
    private static int freeBasePort(int nodes) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                base = probe.getLocalPort();
            }
            if (base + 100 + nodes > 65_535) {
                continue;
            }
            boolean free = true;
            for (int i = 0; i < nodes && free; i++) {
                free = isFree(base + i) && isFree(base + 100 + i);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free range of ports found");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
