package io.synod.server;

import io.synod.core.election.Elections;
import io.synod.net.tls.TlsFiles;
import io.synod.replica.SnapshotPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a node is started with (DESIGN.md §1, {@code synod server}).
 *
 * @param nodeId this node's id; a key of {@code peers}
 * @param peers every member's peer-protocol address, this node's own included (its listen address)
 * @param http the HTTP API's listen address
 * @param dataDir where the log, snapshots and identity live
 * @param clusterId the cluster's name; nodes of other clusters are refused, and so are their data dirs
 * @param election the election strategy, one of {@link Elections#AVAILABLE}
 * @param leaseMs the master lease's length (elections with a lease)
 * @param maxDriftMs the largest clock drift over one lease that the lease's safety allows for
 * @param forward a node that is not master forwards writes and ordered reads to the master (true), or answers
 *     {@code 307} to the master's URL ({@code --no-forward})
 * @param snapshots when to take a snapshot ({@code --snapshot-log-ratio}, {@code --snapshot-min-log-bytes},
 *     {@code --snapshot-every})
 * @param retainSlots keep this many slots of log below the newest snapshot
 * @param requestTimeoutMs how long a request waits for the log before answering 504
 * @param maxKeyBytes the longest key the API accepts
 * @param maxValueBytes the largest value the API accepts
 * @param security TLS, the cluster secret and client tokens ({@link Security#NONE}: none of them)
 * @param limits the bounds on HTTP clients
 */
public record ServerConfig(
        int nodeId,
        Map<Integer, InetSocketAddress> peers,
        InetSocketAddress http,
        Path dataDir,
        String clusterId,
        String election,
        long leaseMs,
        long maxDriftMs,
        boolean forward,
        SnapshotPolicy snapshots,
        long retainSlots,
        long requestTimeoutMs,
        int maxKeyBytes,
        int maxValueBytes,
        Security security,
        HttpLimits limits) {

    /**
     * How a node keeps out who does not belong. Every part is optional (null: off).
     *
     * @param tls {@code --tls-cert --tls-key --tls-ca}: mutual TLS between peers, HTTPS for the API
     * @param clusterSecretFile {@code --cluster-secret-file}: peers prove they know the secret in the Hello
     * @param authTokensFile {@code --auth-tokens-file}: the API requires a bearer token with a role
     */
    public record Security(TlsFiles tls, Path clusterSecretFile, Path authTokensFile) {
        /** No TLS, no secret, no tokens. */
        public static final Security NONE = new Security(null, null, null);
    }

    /** The shortest lease a node accepts: shorter ones renew so often that a busy loop would lose them. */
    public static final long LEASE_MS_MIN = 50;
    public static final long LEASE_MS_DEFAULT = 2_000;
    public static final long MAX_DRIFT_MS_DEFAULT = 100;
    /** Snapshot once the log since the last snapshot is as large as it, not before 16 MiB, at the latest every
     * 100,000 slots. */
    public static final SnapshotPolicy SNAPSHOTS_DEFAULT = new SnapshotPolicy(1.0, 16L << 20, 100_000);

    public ServerConfig {
        peers = Map.copyOf(peers);
        security = security == null ? Security.NONE : security;
        limits = limits == null ? HttpLimits.DEFAULT : limits;
        if (snapshots == null) {
            throw new IllegalArgumentException("a snapshot policy is required");
        }
        if (!peers.containsKey(nodeId)) {
            throw new IllegalArgumentException("--peers must list this node's own id " + nodeId);
        }
        if (!Elections.AVAILABLE.contains(election)) {
            throw new IllegalArgumentException("--election " + election + " is not available in this build; "
                    + "available: " + String.join(", ", Elections.AVAILABLE));
        }
        if (leaseMs < LEASE_MS_MIN) {
            throw new IllegalArgumentException("--lease-ms must be at least " + LEASE_MS_MIN + ", not " + leaseMs);
        }
        // A drift near the lease would leave the master almost no time to read locally, and the bound no margin.
        if (maxDriftMs < 0 || maxDriftMs * 4 > leaseMs) {
            throw new IllegalArgumentException("--max-drift-ms must be from 0 to a quarter of --lease-ms ("
                    + leaseMs / 4 + "), not " + maxDriftMs);
        }
    }

    /** The URL peers and clients reach this node's HTTP API at. */
    public String httpUrl() {
        String host = http.getHostString();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = peers.get(nodeId).getHostString();
        }
        return (security.tls() != null ? "https://" : "http://") + host + ":" + http.getPort();
    }

    /** Whether the election makes one node master (every election but {@code none}). */
    public boolean hasMaster() {
        return !election.equals("none");
    }

    /** Defaults for everything but identity and addresses. */
    public static ServerConfig of(int nodeId, Map<Integer, InetSocketAddress> peers, InetSocketAddress http,
            Path dataDir) {
        return new ServerConfig(nodeId, peers, http, dataDir, "synod", "paxoslease", LEASE_MS_DEFAULT,
                MAX_DRIFT_MS_DEFAULT, true, SNAPSHOTS_DEFAULT, 10_000, 5_000, 1_024, 1 << 20, Security.NONE,
                HttpLimits.DEFAULT);
    }

    /** This config with another election and lease. */
    public ServerConfig withElection(String name, long lease, long maxDrift) {
        return new ServerConfig(nodeId, peers, http, dataDir, clusterId, name, lease, maxDrift, forward,
                snapshots, retainSlots, requestTimeoutMs, maxKeyBytes, maxValueBytes, security, limits);
    }

    /** This config forwarding to the master ({@code true}) or answering 307 ({@code false}). */
    public ServerConfig withForward(boolean on) {
        return new ServerConfig(nodeId, peers, http, dataDir, clusterId, election, leaseMs, maxDriftMs, on,
                snapshots, retainSlots, requestTimeoutMs, maxKeyBytes, maxValueBytes, security, limits);
    }

    /** This config with another cluster id. */
    public ServerConfig withClusterId(String id) {
        return new ServerConfig(nodeId, peers, http, dataDir, id, election, leaseMs, maxDriftMs, forward,
                snapshots, retainSlots, requestTimeoutMs, maxKeyBytes, maxValueBytes, security, limits);
    }

    /** This config with other snapshot, retention and timeout settings. */
    public ServerConfig withTimings(SnapshotPolicy policy, long retain, long requestTimeout) {
        return new ServerConfig(nodeId, peers, http, dataDir, clusterId, election, leaseMs, maxDriftMs, forward,
                policy, retain, requestTimeout, maxKeyBytes, maxValueBytes, security, limits);
    }

    /** This config with other security settings. */
    public ServerConfig withSecurity(Security settings) {
        return new ServerConfig(nodeId, peers, http, dataDir, clusterId, election, leaseMs, maxDriftMs, forward,
                snapshots, retainSlots, requestTimeoutMs, maxKeyBytes, maxValueBytes, settings, limits);
    }

    /** This config with other HTTP client bounds. */
    public ServerConfig withLimits(HttpLimits bounds) {
        return new ServerConfig(nodeId, peers, http, dataDir, clusterId, election, leaseMs, maxDriftMs, forward,
                snapshots, retainSlots, requestTimeoutMs, maxKeyBytes, maxValueBytes, security, bounds);
    }
}
