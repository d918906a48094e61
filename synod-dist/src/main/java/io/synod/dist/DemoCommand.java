package io.synod.dist;

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

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
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
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < httpPorts.length; i++) {
            int port = httpPorts[i];
            while (true) {
                if (!processes.get(i).isAlive()) {
                    return "node " + i + " exited while starting: " + lastLine(root.resolve("node-" + i + ".log"));
                }
                try {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v1/status")).timeout(Duration.ofSeconds(2))
                            .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
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
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/v1/status")).timeout(Duration.ofSeconds(1))
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
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
                out.printf("node %d is master now, %d ms later: http://127.0.0.1:%d  <- master%n", next,
                        (System.nanoTime() - started) / 1_000_000, httpPorts[next]);
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
        out.printf("A %d-node Synod cluster is running on this machine.%n%n", nodes);
        for (int i = 0; i < nodes; i++) {
            out.printf("  node %d  http://127.0.0.1:%d   pid %d   log %s%s%n", i, httpPorts[i], processes.get(i).pid(),
                    root.resolve("node-" + i + ".log"), i == master ? "   <- master" : "");
        }
        if (master < 0) {
            out.printf("%n  (no master yet: the nodes are still electing one)%n");
        }
        String first = "http://127.0.0.1:" + httpPorts[0];
        String last = "http://127.0.0.1:" + httpPorts[nodes - 1];
        out.printf("%n  dashboard  %s/%n%nTry the CLI (it finds the master itself):%n", first);
        String endpoints = String.join(",", java.util.Arrays.stream(httpPorts)
                .mapToObj(port -> "http://127.0.0.1:" + port).toList());
        if (!endpoints.equals(ClientOptions.DEMO_ENDPOINTS)) {
            out.printf("  export SYNOD_ENDPOINTS=%s   # these are not the CLI's default ports%n", endpoints);
        }
        out.printf("  bin/synod put greeting hello%n");
        out.printf("  bin/synod get greeting%n");
        out.printf("  bin/synod list gr%n");
        out.printf("  bin/synod status%n");
        out.printf("%nor curl, on any node:%n");
        out.printf("  curl -X PUT --data-binary 'hello' %s/v1/kv/greeting%n", first);
        out.printf("  curl -i %s/v1/kv/greeting%n", last);
        out.printf("  curl '%s/v1/kv?prefix=gr'%n", last);
        out.printf("  curl %s/v1/status%n", first);
        int victim = master >= 0 ? master : 0;
        out.printf("  curl -i -X PUT --data-binary 'hi' %s/v1/kv/greeting   # any node: X-Synod-Master names the "
                + "master that answered%n", last);
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
