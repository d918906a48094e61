package io.synod.dist;

import io.synod.core.election.Elections;
import io.synod.net.TransportConfig;
import io.synod.replica.SnapshotPolicy;
import io.synod.server.ServerConfig;
import io.synod.server.SynodServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code synod server}: runs one node until SIGTERM (or a fatal storage failure, exit 1). */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Runs one Synod node.")
final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "This node's id (a key of --peers).")
    int id;

    @Option(names = "--peers", required = true, paramLabel = "ID=HOST:PORT,...",
            description = "Every member's peer-protocol address, this node's own included.")
    String peers;

    @Option(names = "--http", required = true, paramLabel = "HOST:PORT", description = "The HTTP API's address.")
    String http;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "Where the log lives.")
    Path dataDir;

    @Option(names = "--cluster-id", paramLabel = "NAME", defaultValue = "synod",
            description = "The cluster's name; peers and data dirs of other clusters are refused "
                    + "(default: ${DEFAULT-VALUE}).")
    String clusterId;

    @Option(names = "--election", paramLabel = "NAME", defaultValue = "paxoslease",
            description = "Who drives the log: paxoslease (a master holding a lease), log (a master elected by a "
                    + "command in the log) or none (every node proposes); this build has ${COMPLETION-CANDIDATES} "
                    + "(default: ${DEFAULT-VALUE}).",
            completionCandidates = ElectionNames.class)
    String election;

    @Option(names = "--lease-ms", paramLabel = "MS", defaultValue = "2000",
            description = "The master lease's length, at least 50 (default: ${DEFAULT-VALUE}).")
    long leaseMs;

    @Option(names = "--max-drift-ms", paramLabel = "MS", defaultValue = "100",
            description = "The largest clock drift over one lease the lease's safety assumes, from 0 to a quarter "
                    + "of --lease-ms (default: ${DEFAULT-VALUE}).")
    long maxDriftMs;

    @Option(names = "--no-forward",
            description = "A node that is not master answers 307 to the master's URL instead of forwarding.")
    boolean noForward;

    @Option(names = "--cluster-secret-file", paramLabel = "FILE", description = "Peer authentication (not yet).")
    Path clusterSecretFile;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "TLS certificate (not yet).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "TLS key (not yet).")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "TLS CA (not yet).")
    Path tlsCa;

    @Option(names = "--snapshot-log-ratio", paramLabel = "R", defaultValue = "1.0",
            description = "Snapshot the state machine once the log written since the last snapshot is R times that "
                    + "snapshot's size; 0: only by --snapshot-every (default: ${DEFAULT-VALUE}).")
    double snapshotLogRatio;

    @Option(names = "--snapshot-min-log", paramLabel = "SIZE", defaultValue = "16m",
            description = "But not before the log since the last snapshot holds SIZE bytes (suffix k, m or g) "
                    + "(default: ${DEFAULT-VALUE}).")
    String snapshotMinLog;

    @Option(names = "--snapshot-every", paramLabel = "SLOTS", defaultValue = "100000",
            description = "Snapshot at the latest every this many applied slots; 0: no slot bound "
                    + "(default: ${DEFAULT-VALUE}).")
    long snapshotEvery;

    @Option(names = "--retain-slots", paramLabel = "SLOTS", defaultValue = "10000",
            description = "Log slots kept below the newest snapshot for catch-up (default: ${DEFAULT-VALUE}).")
    long retainSlots;

    @Option(names = "--heap", paramLabel = "SIZE",
            description = "The JVM heap (suffix m or g); bin/synod starts the JVM with -Xms and -Xmx SIZE "
                    + "(default: " + JvmDefaults.HEAP + "). Run with java -jar, it must match the JVM's -Xmx.")
    String heap;

    @Option(names = "--request-timeout-ms", paramLabel = "MS", defaultValue = "5000",
            description = "How long a request waits before 504 (default: ${DEFAULT-VALUE}).")
    long requestTimeoutMs;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        SynodServer server;
        try {
            server = SynodServer.start(config);
        } catch (java.io.IOException | RuntimeException failure) {
            spec.commandLine().getErr().println("synod: node " + id + " cannot start: " + failure.getMessage());
            return 1;
        }
        Thread hook = new Thread(server::close, "synod-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Throwable failure = server.awaitStop();
        if (failure != null) {
            spec.commandLine().getErr().println("synod: node " + id + " stopped: " + failure.getMessage());
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
            return 1;
        }
        return 0;
    }

    /** The node's config from the parsed flags; a usage error (exit 2) for any that do not fit. */
    ServerConfig config() {
        // Accepted by the parser (so --help lists them) but refused until they are built, never silently ignored.
        refuseIfSet("--cluster-secret-file", clusterSecretFile != null);
        refuseIfSet("--tls-cert", tlsCert != null);
        refuseIfSet("--tls-key", tlsKey != null);
        refuseIfSet("--tls-ca", tlsCa != null);
        Map<Integer, InetSocketAddress> peerMap;
        InetSocketAddress httpAddress;
        try {
            peerMap = TransportConfig.parsePeers(peers);
            httpAddress = TransportConfig.parseAddress(http);
        } catch (IllegalArgumentException bad) {
            throw usage(bad.getMessage());
        }
        if (!peerMap.containsKey(id)) {
            throw usage("--peers does not list this node's own id " + id);
        }
        if (snapshotEvery < 0 || retainSlots < 0 || requestTimeoutMs < 1) {
            throw usage("--snapshot-every and --retain-slots must be >= 0, --request-timeout-ms >= 1");
        }
        if (!(snapshotLogRatio >= 0) || Double.isInfinite(snapshotLogRatio)) {
            throw usage("--snapshot-log-ratio must be a number >= 0, not " + snapshotLogRatio);
        }
        long minLog = JvmDefaults.parseSize(snapshotMinLog);
        if (minLog < 0) {
            throw usage("--snapshot-min-log must be a size like 16m, not '" + snapshotMinLog + "'");
        }
        checkHeap();
        try {
            return new ServerConfig(id, peerMap, httpAddress, dataDir, clusterId, election, leaseMs, maxDriftMs,
                    !noForward, new SnapshotPolicy(snapshotLogRatio, minLog, snapshotEvery), retainSlots,
                    requestTimeoutMs, 1_024, 1 << 20, ServerConfig.Security.NONE);
        } catch (IllegalArgumentException bad) {
            throw usage(bad.getMessage());
        }
    }

    /** The elections this build has, for --help. */
    static final class ElectionNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Elections.AVAILABLE.iterator();
        }
    }

    /**
     * A heap flag is carried out by the launcher, which starts the JVM with {@code -Xmx}; run any other way, the flag
     * would do nothing, so it is refused unless the JVM was started with that very {@code -Xmx}.
     */
    private void checkHeap() {
        if (heap == null) {
            return;
        }
        if (JvmDefaults.parseSize(heap) < JvmDefaults.HEAP_MIN_BYTES || !heap.matches("[0-9]+[mMgG]")) {
            throw usage("--heap must be a size like 512m or 2g, at least 64m, not '" + heap + "'");
        }
        if (!java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xmx" + heap)) {
            throw usage("--heap " + heap + " needs the JVM started with -Xmx" + heap + " (bin/synod does this)");
        }
    }

    private void refuseIfSet(String flag, boolean set) {
        if (set) {
            throw usage(flag + " is not available in this build yet");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
