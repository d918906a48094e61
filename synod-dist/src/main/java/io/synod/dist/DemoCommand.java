package io.synod.dist;

import io.synod.client.PemFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code synod demo}: a local cluster in one command. Starts N nodes as separate processes (so any one can be killed)
 * with temporary data dirs on loopback, prints their URLs and a few commands to try, and stops them all on Ctrl-C,
 * deleting the data dirs unless {@code --keep}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Starts a local cluster (3 nodes by default) and prints how to use it; Ctrl-C stops it.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
            description = "How many nodes, 1 to 9 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--base-port", paramLabel = "P", defaultValue = "7101",
            description = "Node i serves HTTP on P+i and talks to peers on P+100+i; ports in use are replaced by "
                    + "free ones (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--keep", description = "Keep the data dirs when stopping.")
    boolean keep;

    @Option(names = "--data-root", paramLabel = "DIR",
            description = "Where the data dirs go (default: a new temporary directory).")
    Path dataRoot;

    @Option(names = "--secure",
            description = "Run the cluster secured: certificates from a new CA (mutual TLS between nodes, HTTPS for "
                    + "the API), a cluster secret, and bearer tokens (an admin one and a read-only one, printed).")
    boolean secure;

    private final List<Process> processes = new ArrayList<>();
    private HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    /** With --secure: the files the nodes and the tour use, and the tokens; else null. */
    private Secrets secrets;

    /** What {@code --secure} makes in the demo's directory. */
    private record Secrets(Path dir, String adminToken, String readToken) {
        Path ca() {
            return dir.resolve("ca.crt");
        }

        Path secret() {
            return dir.resolve("cluster-secret");
        }

        Path tokens() {
            return dir.resolve("tokens");
        }

        List<String> flags(int node) {
            return List.of("--tls-cert", dir.resolve("node-" + (node + 1) + ".crt").toString(),
                    "--tls-key", dir.resolve("node-" + (node + 1) + ".key").toString(), "--tls-ca", ca().toString(),
                    "--cluster-secret-file", secret().toString(), "--auth-tokens-file", tokens().toString());
        }
    }

    /** Certificates, a secret and two tokens under {@code root/secrets}, readable by this user only. */
    static Path makeSecrets(Path root, int nodes, String adminToken, String readToken) throws IOException {
        Path dir = root.resolve("secrets");
        io.synod.net.tls.CertificateMaker.writeCluster(dir, nodes, List.of());
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        writePrivate(dir.resolve("cluster-secret"), java.util.Base64.getEncoder().encodeToString(secret) + "\n");
        writePrivate(dir.resolve("tokens"), "# synod demo --secure: TOKEN ROLE\n" + adminToken + " admin\n"
                + readToken + " read\n");
        return dir;
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // the file keeps its default permissions
        }
    }

    /** A random token: 32 URL-safe characters. */
    static String newToken() {
        byte[] bytes = new byte[24];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private String scheme() {
        return secrets != null ? "https" : "http";
    }

    private String url(int port) {
        return scheme() + "://127.0.0.1:" + port;
    }

    private HttpRequest status(int port, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(port) + "/v1/status")).timeout(timeout);
        if (secrets != null) {
            request.header("Authorization", "Bearer " + secrets.readToken());
        }
        return request.build();
    }
    private volatile int currentMaster = -1;
    private volatile boolean stopping;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > 9) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--nodes must be 1 to 9");
        }
        if (basePort < 1 || basePort + 100 + nodes > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--base-port is out of range");
        }
        PrintStream out = System.out;
        Path root = dataRoot != null ? Files.createDirectories(dataRoot) : Files.createTempDirectory("synod-demo-");
        if (secure) {
            String admin = newToken();
            String reader = newToken();
            secrets = new Secrets(makeSecrets(root, nodes, admin, reader), admin, reader);
            client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
                    .sslContext(PemFiles.sslContext(secrets.ca(), null, null)).build();
        }
        int[] httpPorts = new int[nodes];
        int[] peerPorts = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            httpPorts[i] = freePort(basePort + i);
            peerPorts[i] = freePort(basePort + 100 + i);
        }
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < nodes; i++) {
            peers.append(i == 0 ? "" : ",").append(i).append("=127.0.0.1:").append(peerPorts[i]);
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(root, out, stop), "synod-demo-stop"));
        for (int i = 0; i < nodes; i++) {
            processes.add(startNode(i, peers.toString(), httpPorts[i], root));
        }
        String problem = awaitReady(httpPorts, root);
        if (problem != null) {
            System.err.println("synod: " + problem);
            return 1;
        }
        int master = awaitMaster(httpPorts, -1, TimeUnit.SECONDS.toNanos(30));
        printTour(out, httpPorts, root, master);
        for (int i = 0; i < nodes; i++) {
            int id = i;
            processes.get(i).onExit().thenAccept(process -> {
                if (stopping) {
                    return;
                }
                out.printf("node %d (pid %d) exited with code %d; the others carry on%n", id, process.pid(),
                        process.exitValue());
                if (id == currentMaster) {
                    watchTakeover(out, httpPorts, id);
                }
            });
        }
        stop.await();
        return 0;
    }

    /** {@code preferred} if it is free on loopback, else a free port the system picks. */
    private static int freePort(int preferred) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(false);
            probe.bind(new InetSocketAddress("127.0.0.1", preferred));
            return preferred;
        } catch (IOException taken) {
            try (ServerSocket any = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
                return any.getLocalPort();
            }
        }
    }

    private Process startNode(int id, String peers, int httpPort, Path root) throws IOException {
        Path jar = jarPath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path dataDir = root.resolve("node-" + id);
        Path log = root.resolve("node-" + id + ".log");
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(JvmDefaults.options(JvmDefaults.HEAP));
        command.addAll(List.of("-cp", jar.toString(), Main.class.getName(), "server", "--heap", JvmDefaults.HEAP,
                "--id", Integer.toString(id), "--peers", peers, "--http", "127.0.0.1:" + httpPort,
                "--data-dir", dataDir.toString(), "--cluster-id", "demo"));
        if (secrets != null) {
            command.addAll(secrets.flags(id));
        }
        // The first line of the log says how to start this node again by hand (after a kill -9, say).
        Files.writeString(log, "# restart this node with: " + String.join(" ", command) + System.lineSeparator());
        return new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true)
                .start();
    }

    private static Path jarPath() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Waits until every node answers; returns null, or what went wrong in one line. */
    private String awaitReady(int[] httpPorts, Path root) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < httpPorts.length; i++) {
            int port = httpPorts[i];
            while (true) {
                if (!processes.get(i).isAlive()) {
                    return "node " + i + " exited while starting: " + lastLine(root.resolve("node-" + i + ".log"));
                }
                try {
                    HttpResponse<String> response = client.send(status(port, Duration.ofSeconds(2)),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    if (response.statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // The node is still starting.
                }
                if (System.nanoTime() > deadline) {
                    return "node " + i + " did not answer within 60 s; see " + root.resolve("node-" + i + ".log");
                }
                Thread.sleep(200);
            }
        }
        return null;
    }

    /**
     * Waits until a running node other than {@code not} says it is master (role {@code master} in its status);
     * returns its id, or -1 if none did within {@code withinNanos}.
     */
    private int awaitMaster(int[] httpPorts, int not, long withinNanos) throws InterruptedException {
        long deadline = System.nanoTime() + withinNanos;
        while (System.nanoTime() < deadline && !stopping) {
            for (int i = 0; i < httpPorts.length; i++) {
                if (i != not && processes.get(i).isAlive() && isMaster(httpPorts[i])) {
                    currentMaster = i;
                    return i;
                }
            }
            Thread.sleep(20);
        }
        return -1;
    }

    private boolean isMaster(int httpPort) {
        try {
            HttpResponse<String> response = client.send(status(httpPort, Duration.ofSeconds(1)),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return response.statusCode() == 200 && response.body().contains("\"role\":\"master\"");
        } catch (IOException notNow) {
            return false;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The master died: tells how long the cluster took to have a new one. */
    private void watchTakeover(PrintStream out, int[] httpPorts, int gone) {
        long started = System.nanoTime();
        out.printf("node %d was the master; waiting for a new one (at most a lease, 2 s by default)%n", gone);
        try {
            int next = awaitMaster(httpPorts, gone, TimeUnit.SECONDS.toNanos(30));
            if (next >= 0) {
                out.printf("node %d is master now, %d ms later: %s  <- master%n", next,
                        (System.nanoTime() - started) / 1_000_000, url(httpPorts[next]));
            } else if (!stopping) {
                out.println("no new master yet: fewer than a majority of the nodes are running");
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
        } catch (IOException unreadable) {
            return "(see " + log + ")";
        }
    }

    private void printTour(PrintStream out, int[] httpPorts, Path root, int master) {
        out.println();
        out.printf("A %d-node Synod cluster is running on this machine%s.%n%n", nodes, secrets == null ? ""
                : ", secured: mutual TLS between the nodes, HTTPS, a cluster secret and tokens");
        for (int i = 0; i < nodes; i++) {
            out.printf("  node %d  %s   pid %d   log %s%s%n", i, url(httpPorts[i]), processes.get(i).pid(),
                    root.resolve("node-" + i + ".log"), i == master ? "   <- master" : "");
        }
        if (master < 0) {
            out.printf("%n  (no master yet: the nodes are still electing one)%n");
        }
        String first = url(httpPorts[0]);
        String last = url(httpPorts[nodes - 1]);
        String endpoints = String.join(",", java.util.Arrays.stream(httpPorts).mapToObj(this::url).toList());
        String curl = "curl";
        if (secrets != null) {
            out.printf("%n  CA %s, tokens %s, secret %s%n", secrets.ca(), secrets.tokens(), secrets.secret());
            out.printf("  admin token  %s%n  read token   %s   (GET only: a PUT with it answers 403)%n",
                    secrets.adminToken(), secrets.readToken());
            out.printf("%nPaste these, then try the CLI (it finds the master itself):%n");
            out.printf("  export SYNOD_ENDPOINTS=%s%n", endpoints);
            out.printf("  export SYNOD_CA=%s%n", secrets.ca());
            out.printf("  export SYNOD_TOKEN=%s%n", secrets.adminToken());
            curl = "curl --cacert " + secrets.ca() + " -H \"Authorization: Bearer $SYNOD_TOKEN\"";
        } else {
            out.printf("%n  dashboard  %s/%n%nTry the CLI (it finds the master itself):%n", first);
            if (!endpoints.equals(ClientOptions.DEMO_ENDPOINTS)) {
                out.printf("  export SYNOD_ENDPOINTS=%s   # these are not the CLI's default ports%n", endpoints);
            }
        }
        out.printf("  bin/synod put greeting hello%n");
        out.printf("  bin/synod get greeting%n");
        out.printf("  bin/synod list gr%n");
        out.printf("  bin/synod status%n");
        if (secrets != null) {
            out.printf("  bin/synod put greeting hi --token %s   # 403 FORBIDDEN: a read token cannot write%n",
                    secrets.readToken());
            out.printf("  curl -i %s/v1/status   # plain HTTP: 400 HTTPS_REQUIRED%n", first.replace("https:", "http:"));
        }
        out.printf("%nor curl, on any node:%n");
        out.printf("  %s -X PUT --data-binary 'hello' %s/v1/kv/greeting%n", curl, first);
        out.printf("  %s -i %s/v1/kv/greeting%n", curl, last);
        out.printf("  %s '%s/v1/kv?prefix=gr'%n", curl, last);
        out.printf("  %s %s/v1/status%n", curl, first);
        int victim = master >= 0 ? master : 0;
        out.printf("  %s -i -X PUT --data-binary 'hi' %s/v1/kv/greeting   # any node: X-Synod-Master names the "
                + "master that answered%n", curl, last);
        out.printf("  kill -9 %d     # kill node %d%s; the others elect a new master within a lease "
                + "and keep serving:%n", processes.get(victim).pid(), victim, master >= 0 ? ", the master" : "");
        out.printf("  bin/synod status                # the killed node is a row saying it is unreachable%n");
        out.printf("  bin/synod put greeting 'still here'%n");
        out.printf("%nData dirs: %s%s. Ctrl-C stops every node.%n", root, keep ? " (kept)" : " (deleted on exit)");
    }

    private void stopAll(Path root, PrintStream out, CountDownLatch stop) {
        stopping = true;
        for (Process process : processes) {
            process.destroy(); // SIGTERM: a clean shutdown
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException interrupted) {
                process.destroyForcibly();
            }
        }
        if (!keep && dataRoot == null) {
            deleteTree(root);
        }
        out.println("stopped " + processes.size() + " nodes" + (keep || dataRoot != null ? "; data in " + root : ""));
        stop.countDown();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // A temporary directory left behind is harmless.
        }
    }
}
