package io.synod.dist;

import io.synod.core.election.Elections;
import io.synod.net.TransportConfig;
import io.synod.net.tls.TlsFiles;
import io.synod.replica.SnapshotPolicy;
import io.synod.server.ServerConfig;
import io.synod.server.SynodServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--cluster-secret-file", paramLabel = "FILE",
            description = "A secret every node holds (the file's bytes, at least 16, one trailing newline ignored): "
                    + "peers prove they know it in the handshake (HMAC-SHA256 over fresh nonces; it never crosses "
                    + "the wire) and a peer without it is refused. Give every node the same file; works with or "
                    + "without --tls-*.")
    Path clusterSecretFile;

    @Option(names = "--auth-tokens-file", paramLabel = "FILE",
            description = "Bearer tokens for the HTTP API, one 'TOKEN ROLE' per line (roles read, write, admin): "
                    + "every request then needs 'Authorization: Bearer TOKEN' (401 without, 403 for too weak a role). "
                    + "Re-read on SIGHUP.")
    Path authTokensFile;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "This node's certificate chain (PEM). With --tls-key and --tls-ca (all three or none) every "
                    + "peer connection runs TLS 1.3: both sides present a certificate signed by the CA, and the "
                    + "dialing side checks that the other's names the address it dialed (see synod certs). The HTTP "
                    + "API then serves HTTPS only, with the same certificate.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key of --tls-cert (PEM, unencrypted PKCS#8).")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "The CA certificate(s) (PEM) a peer's certificate must be signed by.")
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
        if (config.security().authTokensFile() != null) {
            reloadOnHangup(server);
        }
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
        ServerConfig.Security security = security();
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
                    requestTimeoutMs, 1_024, 1 << 20, security, null);
        } catch (IllegalArgumentException bad) {
            throw usage(bad.getMessage());
        }
    }

    /** SIGHUP re-reads the tokens file (the server logs the outcome; a bad file keeps the old tokens). */
    @SuppressWarnings("removal")
    private static void reloadOnHangup(SynodServer server) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> server.reloadTokens());
        } catch (IllegalArgumentException unsupported) {
            // no SIGHUP on this platform: the file is read at start only
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

    /**
     * TLS and the cluster secret from their flags: a usage error if only some of the --tls-* flags are given or a file
     * cannot be read. What the files hold is checked when the node starts (exit 1, naming the file).
     */
    private ServerConfig.Security security() {
        TlsFiles tls = null;
        if (tlsCert != null || tlsKey != null || tlsCa != null) {
            List<String> missing = new ArrayList<>();
            if (tlsCert == null) {
                missing.add("--tls-cert");
            }
            if (tlsKey == null) {
                missing.add("--tls-key");
            }
            if (tlsCa == null) {
                missing.add("--tls-ca");
            }
            if (!missing.isEmpty()) {
                throw usage("--tls-cert, --tls-key and --tls-ca go together; missing: " + String.join(", ", missing));
            }
            try {
                tls = new TlsFiles(tlsCert, tlsKey, tlsCa);
            } catch (IllegalArgumentException bad) {
                throw usage(bad.getMessage());
            }
        }
        if (clusterSecretFile != null && !Files.isReadable(clusterSecretFile)) {
            throw usage("cannot read --cluster-secret-file " + clusterSecretFile);
        }
        if (authTokensFile != null && !Files.isReadable(authTokensFile)) {
            throw usage("cannot read --auth-tokens-file " + authTokensFile);
        }
        return new ServerConfig.Security(tls, clusterSecretFile, authTokensFile);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
