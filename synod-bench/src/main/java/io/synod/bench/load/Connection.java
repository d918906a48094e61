package io.synod.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One keep-alive HTTP/1.1 connection of a run, closed-loop: it sends a request, waits for the whole answer, records
 * it, and sends the next, so it never has more than one request in flight. Everything it does runs on its one event
 * loop, so its fields need no synchronization; {@link #resume} and {@link #checkTimeout} are called there too.
 *
 * <p>An answer with {@code Connection: close}, a broken connection and a timed-out request make a new connection
 * (a failed connect waits {@value #RECONNECT_MS} ms before the next try, so a dead endpoint is not hammered).
 */
@ChannelHandler.Sharable // one handler for the connection's successive channels, never two at once
final class Connection extends SimpleChannelInboundHandler<HttpObject> {
    static final long RECONNECT_MS = 100;
    /** How much of a failed answer's body is kept to read its error code from. */
    static final int ERROR_BODY_BYTES = 4096;

    private final LoadRun run;
    private final EventLoop loop;
    private final InetSocketAddress address;
    private final RequestEncoder encoder;
    /** TLS for an https:// endpoint, else null. */
    private final SslContext tls;
    private final byte[] errorBody = new byte[ERROR_BODY_BYTES];

    private Channel channel;
    private boolean inFlight;
    private boolean inFlightRead;
    private boolean inFlightPreload;
    private long sentNanos;
    private int status;
    private boolean keepAlive;
    private int errorBodyLength;

    Connection(LoadRun run, EventLoop loop, InetSocketAddress address, RequestEncoder encoder, SslContext tls) {
        this.tls = tls;
        this.run = run;
        this.loop = loop;
        this.address = address;
        this.encoder = encoder;
    }

    EventLoop loop() {
        return loop;
    }

    /** Opens the connection; it starts sending as soon as it is up. */
    void connect() {
        if (run.stopped()) {
            return;
        }
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        run.spec().timeout().toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel socket) {
                        if (tls != null) {
                            socket.pipeline().addLast(tls.newHandler(socket.alloc(), address.getHostString(),
                                    address.getPort()));
                        }
                        socket.pipeline().addLast(new HttpResponseDecoder(), Connection.this);
                    }
                });
        ChannelFuture connecting = bootstrap.connect(address);
        channel = connecting.channel();
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                sendNext();
            } else {
                run.stats().failed(ErrorCodes.CONNECTION);
                loop.schedule(this::connect, RECONNECT_MS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Sends again if this connection is idle (the run moved on from its preload). */
    void resume() {
        if (!inFlight && channel != null && channel.isActive()) {
            sendNext();
        }
    }

    /** Closes the connection without counting anything (the run is over). */
    void close() {
        inFlight = false;
        if (channel != null) {
            channel.close();
        }
    }

    /** A request in flight for longer than the timeout counts as {@code TIMEOUT}; the connection is made again. */
    void checkTimeout(long nowNanos) {
        if (inFlight && nowNanos - sentNanos > run.spec().timeout().toNanos()) {
            finishFailed(ErrorCodes.TIMEOUT);
            channel.close(); // channelInactive reconnects
        }
    }

    private void sendNext() {
        LoadRun.Phase phase = run.phase();
        if (phase == LoadRun.Phase.STOPPED) {
            return;
        }
        ByteBuf request;
        if (phase == LoadRun.Phase.PRELOAD) {
            int key = run.nextPreloadKey();
            if (key < 0) {
                return; // idle until the run resumes it
            }
            request = encoder.write(channel.alloc(), key);
            inFlightRead = false;
            inFlightPreload = true;
        } else {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int key = random.nextInt(run.spec().keys());
            inFlightRead = random.nextDouble() < run.spec().readRatio();
            inFlightPreload = false;
            request = inFlightRead ? encoder.read(channel.alloc(), key) : encoder.write(channel.alloc(), key);
        }
        inFlight = true;
        status = 0;
        errorBodyLength = 0;
        sentNanos = System.nanoTime();
        channel.writeAndFlush(request, channel.voidPromise());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, HttpObject message) {
        if (!inFlight) {
            return; // the rest of an answer to a request that timed out
        }
        if (message instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                finishFailed(ErrorCodes.CONNECTION);
                context.close();
                return;
            }
            status = response.status().code();
            keepAlive = HttpUtil.isKeepAlive(response);
        }
        if (message instanceof HttpContent content) {
            if (!ErrorCodes.isSuccess(status, inFlightRead) && errorBodyLength < ERROR_BODY_BYTES) {
                ByteBuf bytes = content.content();
                int length = Math.min(bytes.readableBytes(), ERROR_BODY_BYTES - errorBodyLength);
                bytes.getBytes(bytes.readerIndex(), errorBody, errorBodyLength, length);
                errorBodyLength += length;
            }
            if (message instanceof LastHttpContent) {
                finishAnswered();
                if (!keepAlive) {
                    context.close(); // channelInactive reconnects
                } else {
                    sendNext();
                }
            }
        }
    }

    private void finishAnswered() {
        long latencyNanos = System.nanoTime() - sentNanos;
        inFlight = false;
        boolean success = ErrorCodes.isSuccess(status, inFlightRead);
        if (inFlightPreload) {
            run.preloadAnswered(success);
        } else if (success) {
            run.stats().answered(inFlightRead, latencyNanos, status == 404);
        } else {
            run.stats().failed(ErrorCodes.classify(status, errorBody, errorBodyLength));
        }
    }

    private void finishFailed(String code) {
        inFlight = false;
        if (inFlightPreload) {
            run.preloadAnswered(false);
        } else {
            run.stats().failed(code);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (inFlight) {
            finishFailed(ErrorCodes.CONNECTION);
        }
        if (!run.stopped()) {
            connect();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        context.close(); // an I/O error: channelInactive counts the request in flight and reconnects
    }

}
