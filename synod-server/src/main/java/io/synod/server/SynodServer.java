package io.synod.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslContext;
import io.synod.net.ClusterSecret;
import io.synod.net.NettyTransport;
import io.synod.net.TransportConfig;
import io.synod.storage.DataDir;
import io.synod.storage.Disk;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Synod node: its data dir, the loop thread that owns the replica, the peer transport and the HTTP API. Start it
 * with {@link #start}, stop it with {@link #close} (which also runs on SIGTERM from {@code synod server}): it stops
 * taking requests, lets the fsync in flight finish, closes the log and releases the data dir.
 */
public final class SynodServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SynodServer.class);

    private final ServerConfig config;
    private final DataDir dataDir;
    private final NodeLoop loop;
    private final NettyTransport transport;
    private final KvNode node;
    private final EventLoopGroup httpGroup;
    private final Channel httpChannel;
    private final Forwarder forwarder;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** The API's tokens ({@code --auth-tokens-file}), replaced whole by {@link #reloadTokens}; null: no tokens. */
    private final AtomicReference<AuthTokens> tokens;

    private SynodServer(ServerConfig config, DataDir dataDir, NodeLoop loop, NettyTransport transport, KvNode node,
            EventLoopGroup httpGroup, Channel httpChannel, Forwarder forwarder, AtomicReference<AuthTokens> tokens) {
        this.tokens = tokens;
        this.forwarder = forwarder;
        this.config = config;
        this.dataDir = dataDir;
        this.loop = loop;
        this.transport = transport;
        this.node = node;
        this.httpGroup = httpGroup;
        this.httpChannel = httpChannel;
    }

    /**
     * Opens the data dir, recovers, connects to peers and serves HTTP.
     *
     * @throws IOException if an address is taken or the data dir cannot be used (the message says which, in one line)
     * @throws IllegalArgumentException if the cluster secret file or the TLS files cannot be used (the message names
     *     the file, never the secret)
     */
    public static SynodServer start(ServerConfig config) throws IOException {
        return start(config, disk -> disk);
    }

    /**
     * Like {@link #start(ServerConfig)}, with the node's disk seen through {@code diskWrapper}: fault tests use it to
     * fill the disk or fail an fsync under a running node.
     */
    public static SynodServer start(ServerConfig config, UnaryOperator<Disk> diskWrapper) throws IOException {
        // First, so a bad --cluster-secret-file stops the start before anything is opened.
        TransportConfig transportConfig = TransportConfig.builder(config.nodeId(), config.clusterId(),
                        config.peers())
                .httpUrl(config.httpUrl())
                .maxFrameBytes(64 << 20)
                .keepAlive(KvNode.PEER_PING_MS, 10_000)
                .tls(config.security().tls())
                .clusterSecret(config.security().clusterSecretFile() == null ? null
                        : ClusterSecret.fromFile(config.security().clusterSecretFile()))
                .build();
        AtomicReference<AuthTokens> tokens = new AtomicReference<>(config.security().authTokensFile() == null ? null
                : AuthTokens.load(config.security().authTokensFile()));
        DataDir dataDir = DataDir.open(config.dataDir(), config.clusterId(), config.nodeId());
        NodeLoop loop = new NodeLoop("synod-loop-" + config.nodeId(), 100_000);
        AtomicReference<SynodServer> self = new AtomicReference<>();
        AtomicReference<KvNode> nodeRef = new AtomicReference<>();
        Metrics metrics = new Metrics(config.nodeId(), () -> nodeRef.get() == null ? null
                : nodeRef.get().publishedStatus(), () -> nodeRef.get() == null ? 0 : nodeRef.get().appliedSlot());
        NettyTransport transport = new NettyTransport(transportConfig,
                envelope -> loop.offer(() -> nodeRef.get().receive(envelope)), metrics.transportListener());
        Peers peers = new Peers() {
            @Override
            public boolean isReachable(int peer) {
                return transport.isReachable(peer, KvNode.PEER_SILENCE_MS);
            }

            @Override
            public String httpUrl(int peer) {
                return transport.peerHttpUrl(peer);
            }
        };
        KvNode node = new KvNode(config, loop, transport, peers, metrics, dataDir, diskWrapper.apply(dataDir.disk()),
                error -> {
            SynodServer server = self.get();
            if (server != null) {
                server.fail(error);
            }
        });
        nodeRef.set(node);
        EventLoopGroup httpGroup = null;
        Forwarder forwarder = null;
        try {
            node.open();
            transport.start();
            loop.start(node);
            KvApi api = new KvApi(node, peers);
            forwarder = new Forwarder(config, peers, node::publishedStatus, node::majorityReachable);
            httpGroup = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
            Channel http = bindHttp(config, loop, api, metrics, httpGroup, forwarder, tokens::get);
            SynodServer server = new SynodServer(config, dataDir, loop, transport, node, httpGroup, http,
                    forwarder, tokens);
            self.set(server);
            InetSocketAddress peerAddress = config.peers().get(config.nodeId());
            LOG.info("node {} of cluster '{}' serving HTTP on {} (peers on {}:{}), data in {}", config.nodeId(),
                    config.clusterId(), config.httpUrl(), peerAddress.getHostString(), peerAddress.getPort(),
                    dataDir.path());
            return server;
        } catch (IOException | RuntimeException startFailure) {
            transport.close();
            try {
                loop.close();
                node.close();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            if (httpGroup != null) {
                httpGroup.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
            }
            if (forwarder != null) {
                forwarder.close();
            }
            dataDir.close();
            throw startFailure;
        }
    }

    private static Channel bindHttp(ServerConfig config, NodeLoop loop, KvApi api, Metrics metrics,
            EventLoopGroup group, Forwarder forwarder, Supplier<AuthTokens> tokens) throws IOException {
        String dashboard = dashboard();
        HttpLimits limits = config.limits();
        HttpGuards.ConnectionCount connections = new HttpGuards.ConnectionCount(limits.maxConnections());
        SslContext tls = config.security().tls() == null ? null : config.security().tls().serverContext(false);
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        ChannelPipeline pipeline = channel.pipeline();
                        if (tls != null) {
                            pipeline.addLast(new HttpGuards.HttpsOnly(tls, config.httpUrl()));
                        }
                        HttpGuards.RequestClock clock = new HttpGuards.RequestClock(limits);
                        pipeline.addLast(clock.bytes());
                        // A key may be 1 KiB, three times that %-encoded; 64 KiB leaves room for any query.
                        pipeline.addLast(new HttpServerCodec(65_536, 16_384, 16_384));
                        pipeline.addLast(new BoundedAggregator(config.maxValueBytes()));
                        pipeline.addLast(clock.requests());
                        pipeline.addLast(connections);
                        // One request in flight per connection: the next is handed on only after the answer.
                        pipeline.addLast(new FlowControlHandler());
                        pipeline.addLast(new HttpApi(config, loop, api, metrics, dashboard, forwarder, tokens));
                    }
                });
        InetSocketAddress address = config.http().isUnresolved()
                ? new InetSocketAddress(config.http().getHostString(), config.http().getPort())
                : config.http();
        try {
            return bootstrap.bind(address).sync().channel();
        } catch (Exception bindFailure) {
            throw new BindException("cannot listen for HTTP on " + config.http().getHostString() + ":"
                    + config.http().getPort() + ": " + bindFailure);
        }
    }

    /** Refuses bodies over the value limit with the API's 413 error shape, then closes the connection. */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final int limit;

        BoundedAggregator(int limit) {
            super(limit);
            this.limit = limit;
        }

        /** A client that sends {@code Expect: 100-continue} with too large a body hears why, in the API's shape. */
        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            Object standard = super.newContinueResponse(start, maxContentLength, pipeline);
            if (standard instanceof FullHttpResponse response
                    && response.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
                Response tooLarge = Response.error(413, "VALUE_TOO_LARGE", "the body is over the limit of " + limit
                        + " bytes");
                FullHttpResponse replaced = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(tooLarge.body()));
                replaced.headers().set(HttpHeaderNames.CONTENT_TYPE, tooLarge.contentType());
                replaced.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, tooLarge.body().length);
                replaced.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                response.release();
                return replaced;
            }
            return standard;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext context, HttpMessage oversized) {
            HttpApi.write(context, Response.error(413, "VALUE_TOO_LARGE", "the body is over the limit of " + limit
                    + " bytes"), false);
            HttpUtil.setKeepAlive(oversized, false);
        }
    }

    private static String dashboard() {
        try (InputStream in = SynodServer.class.getResourceAsStream("/dashboard.html")) {
            return in == null ? "<h1>Synod</h1>" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException unreadable) {
            return "<h1>Synod</h1>";
        }
    }

    public ServerConfig config() {
        return config;
    }

    private void fail(Throwable error) {
        failure.compareAndSet(null, error);
        stopped.countDown();
    }

    /** Blocks until the node stops (by {@link #close} or a fatal storage failure); returns the failure, if any. */
    public Throwable awaitStop() throws InterruptedException {
        stopped.await();
        return failure.get();
    }

    /** How long a stopping node waits for its release messages to leave before it closes the peer connections. */
    static final long RELEASE_WAIT_MS = 200;

    /**
     * Tells the election to give up what it holds (a master releases its lease, so a successor takes over in about a
     * round trip instead of a lease), on the loop thread, and waits up to {@link #RELEASE_WAIT_MS} for the messages
     * to leave the peer queues.
     */
    private void releaseMastership() {
        long deadline = System.nanoTime() + RELEASE_WAIT_MS * 1_000_000;
        CountDownLatch released = new CountDownLatch(1);
        if (!config.hasMaster()) {
            return;
        }
        loop.submitInternal(() -> {
            try {
                node.release();
            } finally {
                released.countDown();
            }
        });
        try {
            if (!released.await(RELEASE_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                LOG.warn("node {}: the loop did not release the lease within {} ms", config.nodeId(),
                        RELEASE_WAIT_MS);
                return;
            }
            // The messages wait in the peers' queues until the transport's event loop writes and flushes them.
            while (System.nanoTime() < deadline && queuedForPeers() > 0) {
                Thread.sleep(5);
            }
            Thread.sleep(Math.min(20, Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private int queuedForPeers() {
        int queued = 0;
        for (int peer : config.peers().keySet()) {
            if (peer != config.nodeId()) {
                queued += transport.queuedMessages(peer);
            }
        }
        return queued;
    }

    /**
     * Re-reads {@code --auth-tokens-file} (what SIGHUP does). A file that cannot be read or has a bad line keeps the
     * tokens in force; either way one log line says what happened (never a token).
     *
     * @return whether the new tokens are in force
     * @throws IllegalStateException if the node was started without a tokens file
     */
    public boolean reloadTokens() {
        Path file = config.security().authTokensFile();
        if (file == null) {
            throw new IllegalStateException("this node was started without --auth-tokens-file");
        }
        try {
            AuthTokens loaded = AuthTokens.load(file);
            tokens.set(loaded);
            LOG.info("node {} reloaded {} token(s) from {}", config.nodeId(), loaded.size(), file);
            return true;
        } catch (IllegalArgumentException bad) {
            LOG.error("node {} kept its tokens: {}", config.nodeId(), bad.getMessage());
            return false;
        }
    }

    /** Stops taking requests, finishes the fsync in flight, closes the log and releases the data dir. */
    @Override
    public void close() {
        LOG.info("node {} stopping", config.nodeId());
        httpChannel.close().awaitUninterruptibly();
        forwarder.close();
        releaseMastership();
        transport.close();
        try {
            loop.close();
            node.close();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        httpGroup.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        try {
            dataDir.close();
        } catch (IOException ignored) {
            // The lock goes with the process anyway.
        }
        stopped.countDown();
        LOG.info("node {} stopped", config.nodeId());
    }
}
