package io.synod.net;

import io.synod.net.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a {@link NettyTransport} is configured with. Immutable; build one with {@link #builder}. The constructor
 * throws {@link IllegalArgumentException} for a value out of range, naming it.
 *
 * @param nodeId this node's id; must be a key of {@code peers}
 * @param clusterId the cluster's id; a peer that says another one in its Hello is refused
 * @param peers every member's peer-protocol address, this node included. This node's own entry is the address it
 *     listens on; the others are dialed (by the lower id of each pair) as unresolved host and port, resolved on every
 *     attempt so a changed DNS name is followed
 * @param httpUrl this node's advertised HTTP URL, sent in the Hello so peers can name it as master; may be empty
 * @param maxFrameBytes the largest frame accepted or sent once a connection is established (length prefix excluded).
 *     Must hold the largest Promise, CatchUpReply and SnapshotChunk the core produces
 * @param maxHandshakeFrameBytes the largest frame accepted before the handshake is done, so an unauthenticated
 *     connection cannot make this node buffer {@code maxFrameBytes}
 * @param maxQueuedMessages the bound on each peer's outbound queue, in messages; more are dropped
 * @param reconnectBaseMs first backoff window before re-dialing a peer
 * @param reconnectMaxMs largest backoff window (the window doubles per failed attempt up to this)
 * @param connectTimeoutMs how long one TCP connect attempt may take
 * @param handshakeTimeoutMs how long a new connection may take to complete the handshake (the TLS handshake when
 *     {@code tls} is set, then the Hello exchange) before it is closed
 * @param heartbeatMs how long a connection may stay without an outgoing frame before a Ping is sent on it
 * @param idleTimeoutMs how long a connection may stay without an incoming frame before it is closed as dead; must be
 *     well above {@code heartbeatMs}
 * @param ioThreads Netty event-loop threads (1 or 2 are plenty)
 * @param tls this node's certificate, key and CA ({@code --tls-*}), or null: with them every peer connection runs TLS
 *     1.3, both sides present a certificate signed by the CA, and the dialing side checks that the accepting side's
 *     certificate names the address dialed
 * @param clusterSecret the cluster secret ({@code --cluster-secret-file}), or null: with it both sides of every
 *     connection prove in the handshake that they hold it; a peer without it, or with another one, is refused
 */
public record TransportConfig(
        int nodeId,
        String clusterId,
        Map<Integer, InetSocketAddress> peers,
        String httpUrl,
        int maxFrameBytes,
        int maxHandshakeFrameBytes,
        int maxQueuedMessages,
        long reconnectBaseMs,
        long reconnectMaxMs,
        long connectTimeoutMs,
        long handshakeTimeoutMs,
        long heartbeatMs,
        long idleTimeoutMs,
        int ioThreads,
        TlsFiles tls,
        ClusterSecret clusterSecret) {

    /** Default {@link #maxFrameBytes}: 64 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 << 20;

    public TransportConfig {
        require(clusterId != null && !clusterId.isEmpty(), "clusterId must not be empty");
        require(peers != null && peers.containsKey(nodeId),
                "peers must contain this node's own address (node " + nodeId + ")");
        peers = Map.copyOf(peers);
        httpUrl = httpUrl == null ? "" : httpUrl;
        require(maxFrameBytes >= 1024 && maxFrameBytes <= Integer.MAX_VALUE - 8,
                "maxFrameBytes must be in [1 KiB, 2 GiB)");
        require(maxHandshakeFrameBytes >= 256 && maxHandshakeFrameBytes <= maxFrameBytes,
                "maxHandshakeFrameBytes must be in [256, maxFrameBytes]");
        require(maxQueuedMessages >= 1, "maxQueuedMessages must be >= 1");
        require(reconnectBaseMs >= 1 && reconnectMaxMs >= reconnectBaseMs, "reconnect backoff needs 1 <= base <= max");
        require(connectTimeoutMs >= 1 && handshakeTimeoutMs >= 1, "timeouts must be >= 1 ms");
        require(heartbeatMs >= 1 && idleTimeoutMs > heartbeatMs, "idleTimeoutMs must be above heartbeatMs");
        require(ioThreads >= 1, "ioThreads must be >= 1");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** This node's listen address: its own entry in {@link #peers}. */
    public InetSocketAddress listenAddress() {
        return peers.get(nodeId);
    }

    /**
     * Parses {@code host:port} (IPv6 as {@code [::1]:7001}) into an unresolved address.
     *
     * @throws IllegalArgumentException if it is not of that form
     */
    public static InetSocketAddress parseAddress(String hostAndPort) {
        int colon = hostAndPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostAndPort.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + hostAndPort + "'");
        }
        String host = hostAndPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostAndPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + hostAndPort + "'", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range in '" + hostAndPort + "'");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /**
     * Parses the {@code --peers} list, {@code ID=HOST:PORT,ID=HOST:PORT,...}, into a peer map.
     *
     * @throws IllegalArgumentException on a malformed entry or a repeated id
     */
    public static Map<Integer, InetSocketAddress> parsePeers(String list) {
        Map<Integer, InetSocketAddress> peers = new TreeMap<>();
        for (String entry : list.split(",")) {
            String trimmed = entry.trim();
            int equals = trimmed.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("expected ID=HOST:PORT, got '" + trimmed + "'");
            }
            int id;
            try {
                id = Integer.parseInt(trimmed.substring(0, equals));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad node id in '" + trimmed + "'", e);
            }
            if (peers.put(id, parseAddress(trimmed.substring(equals + 1))) != null) {
                throw new IllegalArgumentException("node id " + id + " is listed twice");
            }
        }
        return peers;
    }

    /** A builder with the defaults for a LAN cluster. */
    public static Builder builder(int nodeId, String clusterId, Map<Integer, InetSocketAddress> peers) {
        return new Builder(nodeId, clusterId, peers);
    }

    /** Builds a {@link TransportConfig}; fields not set keep their defaults. */
    public static final class Builder {
        private final int nodeId;
        private final String clusterId;
        private final Map<Integer, InetSocketAddress> peers;
        private String httpUrl = "";
        private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
        private int maxHandshakeFrameBytes = 64 << 10;
        private int maxQueuedMessages = 10_000;
        private long reconnectBaseMs = 50;
        private long reconnectMaxMs = 2_000;
        private long connectTimeoutMs = 3_000;
        private long handshakeTimeoutMs = 5_000;
        private long heartbeatMs = 1_000;
        private long idleTimeoutMs = 10_000;
        private int ioThreads = 2;
        private TlsFiles tls;
        private ClusterSecret clusterSecret;

        private Builder(int nodeId, String clusterId, Map<Integer, InetSocketAddress> peers) {
            this.nodeId = nodeId;
            this.clusterId = clusterId;
            this.peers = new TreeMap<>(peers);
        }

        /** This node's advertised HTTP URL, e.g. {@code http://10.0.0.1:8080}; default empty (unknown). */
        public Builder httpUrl(String url) {
            this.httpUrl = url;
            return this;
        }

        /** The largest frame on an established connection; default {@link #DEFAULT_MAX_FRAME_BYTES}. */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = bytes;
            return this;
        }

        /** The largest frame before the handshake is done; default 64 KiB. */
        public Builder maxHandshakeFrameBytes(int bytes) {
            this.maxHandshakeFrameBytes = bytes;
            return this;
        }

        /** The bound on each peer's outbound queue; default 10,000 messages. */
        public Builder maxQueuedMessages(int messages) {
            this.maxQueuedMessages = messages;
            return this;
        }

        /** The re-dial backoff window, from {@code baseMs} doubling up to {@code maxMs}; default 50 ms to 2 s. */
        public Builder reconnectBackoff(long baseMs, long maxMs) {
            this.reconnectBaseMs = baseMs;
            this.reconnectMaxMs = maxMs;
            return this;
        }

        /** How long one TCP connect attempt may take; default 3 s. */
        public Builder connectTimeoutMs(long ms) {
            this.connectTimeoutMs = ms;
            return this;
        }

        /** How long the handshake (TLS, when on, and the Hello exchange) may take on a new connection; default 5 s. */
        public Builder handshakeTimeoutMs(long ms) {
            this.handshakeTimeoutMs = ms;
            return this;
        }

        /** The Ping interval and the silence after which a connection is closed as dead; default 1 s and 10 s. */
        public Builder keepAlive(long heartbeatMs, long idleTimeoutMs) {
            this.heartbeatMs = heartbeatMs;
            this.idleTimeoutMs = idleTimeoutMs;
            return this;
        }

        /** Netty event-loop threads; default 2. */
        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /** Mutual TLS on every peer connection with these files; default null (plain TCP). */
        public Builder tls(TlsFiles files) {
            this.tls = files;
            return this;
        }

        /** The cluster secret both sides of every connection must prove; default null (none). */
        public Builder clusterSecret(ClusterSecret secret) {
            this.clusterSecret = secret;
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException if a value is out of range (the message says which)
         */
        public TransportConfig build() {
            return new TransportConfig(nodeId, clusterId, peers, httpUrl, maxFrameBytes, maxHandshakeFrameBytes,
                    maxQueuedMessages, reconnectBaseMs, reconnectMaxMs, connectTimeoutMs, handshakeTimeoutMs,
                    heartbeatMs, idleTimeoutMs, ioThreads, tls, clusterSecret);
        }
    }
}
