package io.synod.server;

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
 * @param election the election strategy ({@code none} for now)
 * @param snapshotEverySlots take a snapshot every this many applied slots (0: never)
 * @param retainSlots keep this many slots of log below the newest snapshot
 * @param requestTimeoutMs how long a request waits for the log before answering 504
 * @param maxKeyBytes the longest key the API accepts
 * @param maxValueBytes the largest value the API accepts
 */
public record ServerConfig(
        int nodeId,
        Map<Integer, InetSocketAddress> peers,
        InetSocketAddress http,
        Path dataDir,
        String clusterId,
        String election,
        long snapshotEverySlots,
        long retainSlots,
        long requestTimeoutMs,
        int maxKeyBytes,
        int maxValueBytes) {

    public ServerConfig {
        peers = Map.copyOf(peers);
        if (!peers.containsKey(nodeId)) {
            throw new IllegalArgumentException("--peers must list this node's own id " + nodeId);
        }
        if (!election.equals("none")) {
            throw new IllegalArgumentException("--election " + election
                    + " is not available yet; this build supports --election none");
        }
    }

    /** The URL peers and clients reach this node's HTTP API at. */
    public String httpUrl() {
        String host = http.getHostString();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = peers.get(nodeId).getHostString();
        }
        return "http://" + host + ":" + http.getPort();
    }

    /** Defaults for everything but identity and addresses. */
    public static ServerConfig of(int nodeId, Map<Integer, InetSocketAddress> peers, InetSocketAddress http,
            Path dataDir) {
        return new ServerConfig(nodeId, peers, http, dataDir, "synod", "none", 10_000, 10_000, 5_000, 1_024,
                1 << 20);
    }
}
