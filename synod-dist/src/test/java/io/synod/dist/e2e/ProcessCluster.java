package io.synod.dist.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Each node a real JVM running {@code synod server} from the built jar, on loopback ports that were free, with its data
 * dir and log file under {@code root}. Between every ordered pair of nodes (i, j) sits a {@link TcpProxy}: node i's
 * {@code --peers} entry for j names that proxy, which forwards to j's real peer port. (The lower id dials the higher,
 * so only the proxies (low, high) carry traffic; the others exist so every node's view is uniform.)
 *
 * <p>Every process is destroyed by {@link #close}, and by a JVM shutdown hook as a last resort.
 */
final class ProcessCluster implements Cluster {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process process : LIVE) {
                process.destroyForcibly();
            }
        }, "process-cluster-reaper"));
    }

    private final Path root;
    private final int size;
    private final List<String> extraArgs;
    private final int[] httpPorts;
    private final int[] peerPorts;
    private final TcpProxy[][] proxies;
    private final Process[] processes;
    private final int[] starts;
    private final List<List<String>> nodeArgs = new ArrayList<>();
    private volatile HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private volatile String scheme = "http";
    private volatile String token;

    /**
     * @param extraArgs more {@code synod server} options for every node, e.g. {@code --request-timeout-ms 2000}
     */
    ProcessCluster(Path root, int size, List<String> extraArgs) {
        this.root = root;
        this.size = size;
        this.extraArgs = List.copyOf(extraArgs);
        this.processes = new Process[size];
        this.starts = new int[size];
        for (int i = 0; i < size; i++) {
            nodeArgs.add(List.of());
        }
        // The node ports stay bound until the proxies have their own ports, so none of them can collide.
        List<ServerSocket> held = holdFreePorts(2 * size);
        httpPorts = new int[size];
        peerPorts = new int[size];
        for (int i = 0; i < size; i++) {
            httpPorts[i] = held.get(2 * i).getLocalPort();
            peerPorts[i] = held.get(2 * i + 1).getLocalPort();
        }
        proxies = new TcpProxy[size][size];
        try {
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    if (i != j) {
                        proxies[i][j] = new TcpProxy(i + "->" + j, new InetSocketAddress("127.0.0.1", peerPorts[j]));
                    }
                }
            }
            Files.createDirectories(root);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } finally {
            release(held);
        }
    }

    ProcessCluster(Path root, int size) {
        this(root, size, List.of());
    }

    @Override
    public int size() {
        return size;
    }

    static Path jar() {
        String configured = System.getProperty("synod.jar");
        Path jar = configured != null ? Path.of(configured) : Path.of("target", "synod.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no runnable jar at " + jar.toAbsolutePath()
                    + "; run the ITs through ./mvnw verify (the jar is built in the package phase)");
        }
        return jar.toAbsolutePath();
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** JVM options that make a node start fast and stay small on a 2-core machine. */
    static List<String> nodeJvmOptions() {
        return List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    }

    private String peersOf(int id) {
        StringBuilder peers = new StringBuilder();
        for (int j = 0; j < size; j++) {
            int port = j == id ? peerPorts[j] : proxies[id][j].port();
            peers.append(j == 0 ? "" : ",").append(j).append("=127.0.0.1:").append(port);
        }
        return peers.toString();
    }

    Path logFile(int id) {
        return root.resolve("node-" + id + ".log");
    }

    Path dataDir(int id) {
        return root.resolve("node-" + id);
    }

    /** More {@code synod server} options for node {@code id} alone, from its next start on. */
    synchronized void nodeArgs(int id, List<String> args) {
        nodeArgs.set(id, List.copyOf(args));
    }

    /**
     * How the test reaches the nodes' HTTP APIs from now on: over HTTPS trusting {@code ssl} (null: plain HTTP), with
     * {@code bearer} as the token (null: none). {@link #start} waits for an answer this way.
     */
    void access(javax.net.ssl.SSLContext ssl, String bearer) {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2));
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        http = builder.build();
        scheme = ssl != null ? "https" : "http";
        token = bearer;
    }

    /** A client of node {@code id}'s API the way {@link #access} says (plain HTTP and no token by default). */
    NodeClient client(int id) {
        return new NodeClient(url(id), Duration.ofSeconds(20), http, token);
    }

    /** Like {@link #client(int)} with another token (null: none). */
    NodeClient client(int id, String bearer) {
        return new NodeClient(url(id), Duration.ofSeconds(20), http, bearer);
    }

    @Override
    public synchronized void start(int id) {
        launch(id);
        awaitServing(id);
    }

    /** Starts node {@code id} without waiting for it to answer (for nodes expected not to join). */
    synchronized void launch(int id) {
        if (isRunning(id)) {
            throw new IllegalStateException("node " + id + " is already running");
        }
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(nodeJvmOptions());
        command.addAll(List.of("-cp", jar().toString(), "io.synod.dist.Main", "server",
                "--id", Integer.toString(id), "--peers", peersOf(id), "--http", "127.0.0.1:" + httpPorts[id],
                "--data-dir", dataDir(id).toString(), "--cluster-id", "e2e"));
        command.addAll(extraArgs);
        command.addAll(nodeArgs.get(id));
        try {
            starts[id]++;
            Files.writeString(logFile(id), "===== test: start #" + starts[id] + " of node " + id + " at "
                    + LocalTime.now() + " =====\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(id).toFile()))
                    .start();
            LIVE.add(process);
            processes[id] = process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + id, e);
        }
    }

    private void awaitServing(int id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(id) + "/v1/status"))
                .timeout(Duration.ofSeconds(2));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpRequest status = request.build();
        while (true) {
            Process process = processes[id];
            if (!process.isAlive()) {
                throw new AssertionError("node " + id + " exited with code " + process.exitValue()
                        + " while starting; its log ends with:\n" + logTail(id, 30));
            }
            try {
                HttpResponse<Void> response = http.send(status, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(interrupted);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + id + " did not answer HTTP within 60 s; its log ends with:\n"
                        + logTail(id, 30));
            }
            sleep(50);
        }
    }

    @Override
    public synchronized void stop(int id) {
        Process process = processes[id];
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("node " + id + " did not stop within 30 s of SIGTERM; log:\n"
                        + logTail(id, 30));
            }
        } catch (InterruptedException interrupted) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
            processes[id] = null;
        }
    }

    @Override
    public synchronized void kill(int id) {
        Process process = processes[id];
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("node " + id + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
            processes[id] = null;
        }
    }

    @Override
    public synchronized boolean isRunning(int id) {
        return processes[id] != null && processes[id].isAlive();
    }

    /** The process id of node {@code id}, or -1 if it is not running. */
    synchronized long pid(int id) {
        return processes[id] == null ? -1 : processes[id].pid();
    }

    @Override
    public String url(int id) {
        return scheme + "://127.0.0.1:" + httpPorts[id];
    }

    @Override
    public InetSocketAddress peerAddress(int id) {
        return new InetSocketAddress("127.0.0.1", peerPorts[id]);
    }

    private TcpProxy proxy(int from, int to) {
        return proxies[from][to];
    }

    /** The first bytes node {@code from} sent on its first connection to node {@code to} (it dials the higher id). */
    byte[] recordedDial(int from, int to) {
        return proxies[from][to].recordedForward();
    }

    @Override
    public void partition(int id) {
        for (int other = 0; other < size; other++) {
            if (other != id) {
                cut(id, other);
                cut(other, id);
            }
        }
    }

    @Override
    public void cut(int from, int to) {
        // On the connection `from` dialed, its bytes go FORWARD; on the one `to` dialed, they come BACKWARD.
        proxy(from, to).hold(TcpProxy.Direction.FORWARD, true);
        proxy(to, from).hold(TcpProxy.Direction.BACKWARD, true);
    }

    @Override
    public void drop(int a, int b) {
        proxy(a, b).drop(true);
        proxy(b, a).drop(true);
    }

    @Override
    public void delay(int a, int b, long ms) {
        proxy(a, b).delay(ms);
        proxy(b, a).delay(ms);
    }

    @Override
    public void heal() {
        for (TcpProxy[] row : proxies) {
            for (TcpProxy proxy : row) {
                if (proxy != null) {
                    proxy.heal();
                }
            }
        }
    }

    @Override
    public String log(int id) {
        try {
            return Files.exists(logFile(id)) ? Files.readString(logFile(id), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile(id) + ": " + e + ")";
        }
    }

    @Override
    public String logTail(int id, int lines) {
        List<String> all = log(id).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public synchronized void close() {
        for (int i = 0; i < size; i++) {
            Process process = processes[i];
            if (process != null) {
                process.destroyForcibly();
            }
        }
        for (int i = 0; i < size; i++) {
            Process process = processes[i];
            if (process != null) {
                try {
                    process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                LIVE.remove(process);
                processes[i] = null;
            }
        }
        for (TcpProxy[] row : proxies) {
            for (TcpProxy proxy : row) {
                if (proxy != null) {
                    proxy.close();
                }
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }

    /** Binds {@code count} different free ports on 127.0.0.1; {@link #release} them before use. */
    static List<ServerSocket> holdFreePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            }
            return sockets;
        } catch (IOException e) {
            release(sockets);
            throw new UncheckedIOException(e);
        }
    }

    static void release(List<ServerSocket> sockets) {
        for (ServerSocket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
