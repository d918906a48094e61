package io.synod.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.synod.core.message.Envelope;
import io.synod.net.TransportListener.DropReason;
import io.synod.net.proto.Hello;
import io.synod.replica.Transport;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer transport of a Synod node: Netty NIO, length-prefixed protobuf frames, one TCP connection per pair of nodes.
 *
 * <h2>Connections</h2>
 * Of each pair of nodes the one with the lower id dials the other; messages in both directions share that connection.
 * The dialer re-dials a lost or refused connection after a capped exponential backoff with jitter
 * ({@link TransportConfig#reconnectBaseMs} to {@link TransportConfig#reconnectMaxMs}), forever, until {@link #close}.
 *
 * <h2>Handshake</h2>
 * With {@link TransportConfig#tls} every connection starts with a TLS 1.3 handshake: both sides present a certificate
 * signed by the CA (the accepting side requires one), and the dialing side checks that the accepting side's
 * certificate names the host it dialed. A failed TLS handshake closes the connection with one log line naming the
 * other side's address and the reason, and {@link TransportListener#handshakeRefused}.
 *
 * <p>Then the first frame each way is a Hello carrying the protocol version, the cluster id, the node id and the
 * node's HTTP URL. The accepting node refuses (closes, with one log line and
 * {@link TransportListener#handshakeRefused}) a Hello with another protocol version, another cluster id, or a node id
 * that is unknown, its own, or higher than its own (a higher node never dials a lower one); the dialing node refuses
 * an answer from any node but the one it dialed. With {@link TransportConfig#clusterSecret} both sides also prove
 * they hold the secret, over fresh nonces ({@link Handshake}); a peer without it, or with another, is refused the same
 * way. The handshake timeout covers TLS and the Hellos together; nothing is sent or delivered before both are done.
 *
 * <h2>Duplicate connections</h2>
 * A new connection from a peer that passes the handshake <em>replaces</em> the established one, which is closed.
 * A peer dials again only after it lost or restarted its side of the connection, so the newer connection is the live
 * one; refusing it would cut the pair off until this side noticed the old connection was dead, which for a
 * half-open connection takes up to {@link TransportConfig#idleTimeoutMs}. Messages queued for the peer go out on the
 * new connection; the peer stays "connected" throughout (no disconnect event).
 *
 * <h2>Failure containment</h2>
 * Bytes that are not a valid frame (garbage, a length above the bound, unparsable protobuf, a malformed message, a
 * message whose sender or receiver does not match the connection) close that connection only, with one log line and
 * {@link TransportListener#badFrame}. A connection that receives nothing, not even a Ping, for
 * {@link TransportConfig#idleTimeoutMs} is closed as dead; an idle connection sends a Ping every
 * {@link TransportConfig#heartbeatMs}.
 *
 * <h2>Threads</h2>
 * {@link #start} and {@link #close} are called once each, by the thread that owns the node's lifecycle.
 * {@link #send}, {@link #isConnected}, {@link #peerHttpUrl} and {@link #queuedMessages} are called by the server's
 * loop thread (they are safe on any thread) and never block. Inbound messages and listener callbacks run on this
 * transport's Netty event-loop threads ({@link TransportConfig#ioThreads} of them, daemon threads named
 * {@code synod-net-<id>-*}).
 */
public final class NettyTransport implements Transport, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
    /** Netty's per-connection outbound buffer above which a connection stops taking more messages for a while. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(512 << 10, 1 << 20);

    private enum State { NEW, STARTED, CLOSED }

    private final TransportConfig config;
    private final Consumer<Envelope> inbound;
    private final TransportListener listener;
    private final Map<Integer, PeerLink> links;

    private volatile State state = State.NEW;
    private EventLoopGroup group;
    private Channel serverChannel;
    /** Every channel this transport opened or accepted, so close() can close them all before the loops stop. */
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** The source of handshake nonces. */
    private final SecureRandom random = new SecureRandom();
    /** The TLS contexts for accepted and dialed connections, built once by {@link #start}; null without TLS. */
    private SslContext acceptingTls;
    private SslContext dialingTls;

    /**
     * A transport that is not listening yet; call {@link #start}.
     *
     * @param config this node's id, the cluster and its members, bounds and timeouts
     * @param inbound receives every message addressed to this node, already checked to come from the authenticated
     *     peer of its connection. Called on Netty event-loop threads, concurrently for different peers, in order for
     *     one peer. It must not block (the server enqueues the message to its loop); an exception it throws is logged
     *     and the message is lost
     * @param listener connection and message events, for metrics; {@link TransportListener#NOOP} for none
     */
    public NettyTransport(TransportConfig config, Consumer<Envelope> inbound, TransportListener listener) {
        if (config == null || inbound == null || listener == null) {
            throw new IllegalArgumentException("config, inbound and listener must not be null");
        }
        this.config = config;
        this.inbound = inbound;
        this.listener = listener;
        Map<Integer, PeerLink> byId = new HashMap<>();
        config.peers().forEach((id, address) -> {
            if (id != config.nodeId()) {
                byId.put(id, new PeerLink(this, id, address, config.nodeId() < id, config.maxQueuedMessages()));
            }
        });
        this.links = Map.copyOf(byId);
    }

    /**
     * Binds the listen address (this node's entry in the peer map) and starts dialing every peer with a higher id.
     * Blocks until the socket is bound. Called once.
     *
     * @throws BindException if the address cannot be bound (the port is taken, the host is not local); every thread
     *     the transport started is stopped again
     * @throws IllegalArgumentException if the TLS files cannot be loaded (the message names them); nothing was started
     * @throws IllegalStateException if called twice or after {@link #close}
     */
    public synchronized void start() throws IOException {
        if (state != State.NEW) {
            throw new IllegalStateException("transport of node " + config.nodeId() + " is " + state);
        }
        if (config.tls() != null) {
            acceptingTls = config.tls().serverContext(true);
            dialingTls = config.tls().clientContext();
        }
        InetSocketAddress listen = config.listenAddress();
        InetSocketAddress resolved = new InetSocketAddress(listen.getHostString(), listen.getPort());
        group = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory("synod-net-" + config.nodeId(), true), NioIoHandler.newFactory());
        ServerBootstrap server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(initializer(null));
        try {
            serverChannel = server.bind(resolved).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            state = State.CLOSED;
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            BindException failure = new BindException("node " + config.nodeId() + " cannot listen for peers on "
                    + listen.getHostString() + ":" + listen.getPort() + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            failure.initCause(e);
            throw failure;
        }
        state = State.STARTED;
        LOG.info("node {} listening for peers on {} (cluster '{}', peers {}, {}, {})", config.nodeId(),
                serverChannel.localAddress(), config.clusterId(), new TreeSet<>(links.keySet()),
                config.tls() != null ? "TLS" : "no TLS",
                config.clusterSecret() != null ? "cluster secret" : "no cluster secret");
        for (PeerLink link : links.values()) {
            if (link.dialer) {
                dial(link);
            }
        }
    }

    /**
     * Queues {@code envelope} for its receiver, or drops it (counted through
     * {@link TransportListener#messageDropped}) when the receiver is not connected, its queue is full, it is not a
     * peer, or the transport is not running. Never blocks and never throws for any of these; the protocol
     * retransmits what matters. Messages to one peer are written in the order they were sent.
     *
     * @throws IllegalArgumentException if the envelope's sender is not this node (a bug in the caller)
     */
    @Override
    public void send(Envelope envelope) {
        if (envelope.from() != config.nodeId()) {
            throw new IllegalArgumentException("node " + config.nodeId() + " cannot send as node " + envelope.from());
        }
        if (state != State.STARTED) {
            dropped(envelope, DropReason.CLOSED);
            return;
        }
        PeerLink link = links.get(envelope.to());
        if (link == null) {
            dropped(envelope, DropReason.UNKNOWN_PEER);
            return;
        }
        link.enqueue(envelope);
    }

    /** Whether the handshake with {@code peer} is done and its connection is up. Never blocks. */
    public boolean isConnected(int peer) {
        PeerLink link = links.get(peer);
        return link != null && link.isConnected();
    }

    /**
     * Whether {@code peer} looks alive: its connection is up and a frame (a message or a keep-alive ping) arrived from
     * it within {@code silenceMs}. A peer that is stopped (SIGSTOP) or cut off keeps its connection for up to
     * {@link TransportConfig#idleTimeoutMs()}, but goes silent at once; with {@code silenceMs} a few times
     * {@link TransportConfig#heartbeatMs()} this notices it within that. Never blocks.
     */
    public boolean isReachable(int peer, long silenceMs) {
        PeerLink link = links.get(peer);
        return link != null && link.heardWithin(silenceMs);
    }

    /**
     * The HTTP URL {@code nodeId} advertised in its last Hello (kept after it disconnects), this node's own for its own
     * id, or null if the node is unknown or has not completed a handshake yet. Never blocks.
     */
    public String peerHttpUrl(int nodeId) {
        if (nodeId == config.nodeId()) {
            return config.httpUrl().isEmpty() ? null : config.httpUrl();
        }
        PeerLink link = links.get(nodeId);
        return link == null ? null : link.httpUrl();
    }

    /** Messages waiting in {@code peer}'s outbound queue (a gauge for metrics); 0 for an unknown peer. */
    public int queuedMessages(int peer) {
        PeerLink link = links.get(peer);
        return link == null ? 0 : link.queuedMessages();
    }

    /** The configuration this transport runs with. */
    public TransportConfig config() {
        return config;
    }

    /**
     * Closes every connection, stops the event-loop threads and releases the listen port; returns when they are gone
     * (a few seconds at most). Messages still queued are dropped. Idempotent; a transport that was never started
     * closes at once.
     *
     * @throws IllegalStateException if called on one of this transport's own event-loop threads (it would wait for
     *     itself)
     */
    @Override
    public void close() {
        EventLoopGroup toStop;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            if (group != null && onOwnEventLoop()) {
                throw new IllegalStateException("close() must not be called on the transport's own event loop");
            }
            state = State.CLOSED;
            toStop = group;
        }
        if (toStop == null) {
            return;
        }
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        toStop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
        for (PeerLink link : links.values()) {
            link.dropQueued(DropReason.CLOSED);
        }
        LOG.info("node {} stopped its peer transport", config.nodeId());
    }

    private boolean onOwnEventLoop() {
        for (EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    // ---- connection management, on event-loop threads ----

    /**
     * The pipeline of one connection: TLS (when configured), idle detection, the frame decoder and the connection
     * handler. {@code dialed} is the peer dialed, or null for an accepted connection. Package-private so tests and
     * fuzz targets can run the real pipeline on an {@code EmbeddedChannel}; TLS needs {@link #start} to have run.
     */
    ChannelInitializer<Channel> initializer(PeerLink dialed) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                channels.add(channel);
                FrameDecoder decoder = new FrameDecoder(config.maxFrameBytes(), config.maxHandshakeFrameBytes());
                if (acceptingTls != null) {
                    SslHandler tls = dialed == null
                            ? acceptingTls.newHandler(channel.alloc())
                            : dialingTls.newHandler(channel.alloc(), dialed.address.getHostString(),
                                    dialed.address.getPort());
                    tls.setHandshakeTimeoutMillis(0); // the connection handler's timeout covers TLS and the Hellos
                    channel.pipeline().addLast("tls", tls);
                }
                Handshake handshake = new Handshake(config, dialed != null, hello -> checkHello(hello, dialed), random);
                channel.pipeline()
                        .addLast("idle", new IdleStateHandler(config.idleTimeoutMs(), config.heartbeatMs(), 0,
                                TimeUnit.MILLISECONDS))
                        .addLast("frames", decoder)
                        .addLast("peer", new ConnectionHandler(NettyTransport.this, decoder, dialed, handshake,
                                acceptingTls != null));
            }
        };
    }

    private void dial(PeerLink link) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeoutMs()))
                .handler(initializer(link));
        ChannelFuture connecting;
        synchronized (this) {
            // Under the lock, so close() cannot start shutting the event loops down between the check and the
            // registration of the new channel.
            if (state != State.STARTED) {
                return;
            }
            connecting = bootstrap.connect(link.address);
        }
        connecting.addListener((ChannelFuture attempt) -> {
            if (attempt.isSuccess()) {
                attempt.channel().closeFuture().addListener(closed -> redial(link));
            } else {
                dialFailed(link, "connect", attempt.cause() == null ? "cancelled" : String.valueOf(attempt.cause().getMessage()));
                redial(link);
            }
        });
    }

    /**
     * Logs a failed dial or handshake. Within a streak of failures (since start or the last established connection)
     * only a change of {@code kind} is logged at INFO, the repeats at DEBUG, so a peer that is down for an hour costs
     * one line, not one per attempt.
     */
    void dialFailed(PeerLink link, String kind, String reason) {
        if (state != State.STARTED) {
            return; // closing: not news
        }
        if (link.newFailureKind(kind)) {
            LOG.info("node {} cannot reach peer {} at {}:{}: {}; retrying with backoff up to {} ms", config.nodeId(),
                    link.peerId, link.address.getHostString(), link.address.getPort(), reason,
                    config.reconnectMaxMs());
        } else {
            LOG.debug("node {} cannot reach peer {}: {}", config.nodeId(), link.peerId, reason);
        }
    }

    private void redial(PeerLink link) {
        if (state != State.STARTED) {
            return;
        }
        long delayMs = Backoff.delayMs(link.nextFailedAttempt(), config.reconnectBaseMs(), config.reconnectMaxMs(),
                ThreadLocalRandom.current());
        try {
            group.schedule(() -> dial(link), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: nothing to re-dial
        }
    }

    /** Why {@code hello} is refused, or null if it is accepted. {@code dialed} is null on an accepted connection. */
    String checkHello(Hello hello, PeerLink dialed) {
        if (hello.getProtocolVersion() != Frames.PROTOCOL_VERSION) {
            return "node " + hello.getNodeId() + " speaks protocol version " + hello.getProtocolVersion()
                    + ", this node " + Frames.PROTOCOL_VERSION;
        }
        if (!hello.getClusterId().equals(config.clusterId())) {
            return "node " + hello.getNodeId() + " is in cluster '" + hello.getClusterId() + "', this node in '"
                    + config.clusterId() + "'";
        }
        int id = hello.getNodeId();
        if (dialed != null) {
            return id == dialed.peerId ? null
                    : "node " + id + " answered at the address of peer " + dialed.peerId;
        }
        if (id == config.nodeId()) {
            return "the other side claims this node's own id " + id;
        }
        PeerLink link = links.get(id);
        if (link == null) {
            return "node " + id + " is not a member (members: " + new TreeSet<>(config.peers().keySet()) + ")";
        }
        if (link.dialer) {
            return "node " + id + " has a higher id, so this node dials it, not the other way round";
        }
        return null;
    }

    PeerLink link(int peer) {
        return links.get(peer);
    }

    void established(PeerLink link, Channel channel, String httpUrl) {
        Channel old = link.attach(channel, httpUrl.isEmpty() ? null : httpUrl);
        if (old != null) {
            LOG.info("peer {}: a new connection from {} replaces the previous one", link.peerId,
                    channel.remoteAddress());
            old.close();
            return;
        }
        LOG.info("peer {} up ({} -> {}, http {})", link.peerId, channel.localAddress(), channel.remoteAddress(),
                httpUrl.isEmpty() ? "unknown" : httpUrl);
        notifyListener(() -> listener.peerConnected(link.peerId));
    }

    void lost(PeerLink link, Channel channel) {
        if (!link.detach(channel)) {
            return;
        }
        link.dropQueued(DropReason.NOT_CONNECTED);
        if (state == State.STARTED) {
            LOG.info("peer {} down", link.peerId);
        }
        notifyListener(() -> listener.peerDisconnected(link.peerId));
    }

    void deliver(Envelope envelope, int frameBytes) {
        try {
            listener.messageReceived(envelope.from(), envelope.message().getClass(), frameBytes);
        } catch (RuntimeException e) {
            LOG.warn("transport listener failed", e);
        }
        try {
            inbound.accept(envelope);
        } catch (RuntimeException e) {
            LOG.error("the inbound consumer failed on a message from peer {}; message lost", envelope.from(), e);
        }
    }

    /**
     * A Hello exchange was refused. On a dialed connection only the first of a streak of equal refusals is logged at
     * WARN, the repeats at DEBUG (the dialer retries forever); an accepted connection is logged each time.
     */
    void handshakeRefused(PeerLink dialed, String connection, String reason) {
        if (dialed == null || dialed.newFailureKind("refused: " + reason)) {
            LOG.warn("node {} refused the connection {}: {}", config.nodeId(), connection, reason);
        } else {
            LOG.debug("node {} refused the connection {}: {}", config.nodeId(), connection, reason);
        }
        notifyListener(() -> listener.handshakeRefused(connection, reason));
    }

    /**
     * The dialer {@code link} closed the connection while this node awaited its HelloProof: it refused this node's
     * answer, most likely its proof (different secrets). Logged once per streak, since the dialer retries forever.
     */
    void proofRefused(PeerLink link, String connection) {
        if (state != State.STARTED) {
            return;
        }
        String reason = "node " + link.peerId + " closed the connection " + connection + " instead of proving the "
                + "cluster secret: it refused this node's answer (its log says why; most likely the two hold "
                + "different secrets): compare --cluster-secret-file on every node";
        if (link.newFailureKind("proof refused")) {
            LOG.warn("node {}: {}", config.nodeId(), reason);
        } else {
            LOG.debug("node {}: {}", config.nodeId(), reason);
        }
    }

    /**
     * A TLS handshake failed. On a dialed connection only the first of a streak of equal failures is logged at WARN,
     * the repeats at DEBUG (the dialer retries forever); an accepted connection is logged each time.
     */
    void tlsFailed(PeerLink dialed, String remoteAddress, String reason) {
        if (dialed == null || dialed.newFailureKind("tls: " + reason)) {
            LOG.warn("node {}: peer TLS handshake with {} failed: {}", config.nodeId(), remoteAddress, reason);
        } else {
            LOG.debug("node {}: peer TLS handshake with {} failed: {}", config.nodeId(), remoteAddress, reason);
        }
        notifyListener(() -> listener.handshakeRefused(remoteAddress, "peer TLS handshake failed: " + reason));
    }

    void badFrame(String connection, String reason) {
        LOG.warn("node {} closed the connection {}: bad frame: {}", config.nodeId(), connection, reason);
        notifyListener(() -> listener.badFrame(connection, reason));
    }

    // ---- outbound accounting, on any thread ----

    void sent(Envelope envelope, int frameBytes) {
        try {
            listener.messageSent(envelope.to(), envelope.message().getClass(), frameBytes);
        } catch (RuntimeException e) {
            LOG.warn("transport listener failed", e);
        }
    }

    void dropped(Envelope envelope, DropReason reason) {
        try {
            listener.messageDropped(envelope.to(), envelope.message().getClass(), reason);
        } catch (RuntimeException e) {
            LOG.warn("transport listener failed", e);
        }
    }

    void tooLarge(Envelope envelope, int frameBytes) {
        LOG.warn("node {} dropped a {} to peer {}: {} bytes is above the maximum frame of {} bytes", config.nodeId(),
                envelope.message().getClass().getSimpleName(), envelope.to(), frameBytes, config.maxFrameBytes());
        dropped(envelope, DropReason.TOO_LARGE);
    }

    int maxFrameBytes() {
        return config.maxFrameBytes();
    }

    Logger log() {
        return LOG;
    }

    private void notifyListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("transport listener failed", e);
        }
    }
}
