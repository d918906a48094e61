package io.synod.dist;

import io.synod.net.TransportConfig;
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

    @Option(names = "--election", paramLabel = "paxoslease|log|none", defaultValue = "none",
            description = "Who drives the log. This build supports only none (default: ${DEFAULT-VALUE}).")
    String election;

    @Option(names = "--lease-ms", paramLabel = "MS", description = "Master lease length (paxoslease; not yet).")
    Long leaseMs;

    @Option(names = "--max-drift-ms", paramLabel = "MS", description = "Largest clock drift assumed (not yet).")
    Long maxDriftMs;

    @Option(names = "--no-forward",
            description = "Followers answer 307 instead of forwarding (needs a master; not yet).")
    boolean noForward;

    @Option(names = "--cluster-secret-file", paramLabel = "FILE", description = "Peer authentication (not yet).")
    Path clusterSecretFile;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "TLS certificate (not yet).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "TLS key (not yet).")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "TLS CA (not yet).")
    Path tlsCa;

    @Option(names = "--snapshot-every", paramLabel = "SLOTS", defaultValue = "10000",
            description = "Snapshot the state machine every this many applied slots (default: ${DEFAULT-VALUE}).")
    long snapshotEvery;

    @Option(names = "--retain-slots", paramLabel = "SLOTS", defaultValue = "10000",
            description = "Log slots kept below the newest snapshot for catch-up (default: ${DEFAULT-VALUE}).")
    long retainSlots;

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

    private ServerConfig config() {
        // Accepted by the parser (so --help lists them) but refused until they are built, never silently ignored.
        refuseIfSet("--cluster-secret-file", clusterSecretFile != null);
        refuseIfSet("--tls-cert", tlsCert != null);
        refuseIfSet("--tls-key", tlsKey != null);
        refuseIfSet("--tls-ca", tlsCa != null);
        refuseIfSet("--lease-ms", leaseMs != null);
        refuseIfSet("--max-drift-ms", maxDriftMs != null);
        refuseIfSet("--no-forward", noForward);
        if (!election.equals("none")) {
            throw usage("--election " + election + " is not available in this build yet; use --election none");
        }
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
        return new ServerConfig(id, peerMap, httpAddress, dataDir, clusterId, election, snapshotEvery, retainSlots,
                requestTimeoutMs, 1_024, 1 << 20);
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
