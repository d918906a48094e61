package io.synod.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP pipeline's defences against clients that do not play fair, each answering in the API's error shape where an
 * answer is possible (see {@link HttpLimits} for the bounds):
 * <ul>
 *   <li>{@link ConnectionCount}: at most {@link HttpLimits#maxConnections} open; one more hears
 *       {@code 503 TOO_MANY_CONNECTIONS} and is closed;</li>
 *   <li>{@link RequestClock}: a request must arrive in full (TLS handshake included for the first) within
 *       {@link HttpLimits#requestTimeMs} of its first byte, else {@code 408 REQUEST_TIMEOUT} and close (a client that
 *       trickles bytes, slowloris, is dropped); a connection with no request started is closed after
 *       {@link HttpLimits#idleTimeoutMs};</li>
 *   <li>{@link HttpsOnly}: on a TLS port, plain HTTP hears {@code 400 HTTPS_REQUIRED} in plain HTTP and is closed.</li>
 * </ul>
 * Every close after a last answer is a {@link #CLOSE_AFTER_ANSWER lingering} one, so the answer reaches the client.
 * Requests in flight per connection are bounded to one by the pipeline itself: a FlowControlHandler hands
 * {@link HttpApi} the next request only once it answered the last.
 */
final class HttpGuards {
    /** How long a closing connection drains what its client still sends before it is closed outright. */
    static final long LINGER_MS = 2_000;

    /**
     * Closes a connection after its last answer without losing that answer. Closing a socket with bytes from the
     * client still unread makes the kernel send a reset, and a reset throws away whatever has not reached the client
     * yet: the answers to pipelined requests before a refusal, and the refusal itself (a {@code 413} to a client
     * still sending its body). So the close lingers, as nginx's and Apache's do: the output is shut (a TLS
     * close_notify, then a FIN after the last answer), and whatever the client still sends is read and dropped until
     * it closes its side or {@link #LINGER_MS} have passed. Requests still queued are never handed on.
     */
    static final ChannelFutureListener CLOSE_AFTER_ANSWER = written -> closeLingering(written.channel());

    private static final String DRAIN = "drain";

    private HttpGuards() {}

    private static void closeLingering(Channel channel) {
        if (!channel.isActive() || channel.pipeline().get(DRAIN) != null) {
            return; // closed already, or lingering already
        }
        if (!(channel instanceof SocketChannel socket)) {
            channel.close();
            return;
        }
        // Reads from here on are asked for by the drain, which sits first: nothing reaches the codec, and the flow
        // control handler, which is never asked to read, hands on no queued request.
        channel.config().setAutoRead(false);
        channel.pipeline().addFirst(DRAIN, new Drain());
        ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> {
            channel.close(); // a client that keeps sending
        }, LINGER_MS, TimeUnit.MILLISECONDS);
        channel.closeFuture().addListener(closed -> deadline.cancel(false));
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) {
            shutOutputAndDrain(socket);
        } else {
            tls.closeOutbound().addListener(sent -> shutOutputAndDrain(socket));
        }
    }

    private static void shutOutputAndDrain(SocketChannel socket) {
        socket.shutdownOutput().addListener(shut -> {
            if (!shut.isSuccess()) {
                socket.close();
                return;
            }
            ChannelHandlerContext drain = socket.pipeline().context(DRAIN);
            if (drain != null) {
                drain.read();
            }
        });
    }

    /**
     * First in a lingering connection's pipeline: drops every byte and asks for more. The client's end of the stream
     * closes the channel (Netty does so itself: half-closure is off).
     */
    private static final class Drain extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext context, Object message) {
            ReferenceCountUtil.release(message);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext context) {
            context.read();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }

    /** Counts open connections across the whole HTTP server; one handler instance is shared by every connection. */
    @ChannelHandler.Sharable
    static final class ConnectionCount extends ChannelInboundHandlerAdapter {
        private final AtomicInteger open = new AtomicInteger();
        private final int max;

        ConnectionCount(int max) {
            this.max = max;
        }

        int open() {
            return open.get();
        }

        @Override
        public void channelActive(ChannelHandlerContext context) {
            if (open.incrementAndGet() > max) {
                HttpApi.write(context, Response.error(503, "TOO_MANY_CONNECTIONS", "this node has " + max
                        + " connections open, its limit; retry shortly or reuse a connection")
                        .withHeader("Retry-After", "1"), false);
                return;
            }
            context.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            open.decrementAndGet();
            context.fireChannelInactive();
        }
    }

    /**
     * Times each request from its first byte to its last, and idle connections between requests. Two handlers share
     * one clock per connection: {@link #bytes()} sits before the HTTP codec and sees bytes arrive, {@link #requests()}
     * after the aggregator and sees whole requests pass in and answers pass out. All on the connection's event loop.
     */
    static final class RequestClock {
        private final HttpLimits limits;
        private ChannelHandlerContext answerContext;
        private ScheduledFuture<?> deadline;
        /** A request has arrived in full and is not answered yet. */
        private boolean busy;
        /** Bytes came while busy: the next request has begun. */
        private boolean begunWhileBusy;
        /** The deadline is the idle one (no request begun), not a request's. */
        private boolean idle;

        RequestClock(HttpLimits limits) {
            this.limits = limits;
        }

        ChannelHandler bytes() {
            return new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext context) {
                    // The first request (and a TLS handshake before it) must come within the request time.
                    startRequestTimer(context);
                    context.fireChannelActive();
                }

                @Override
                public void channelRead(ChannelHandlerContext context, Object message) {
                    if (message instanceof ByteBuf bytes && bytes.isReadable()) {
                        if (busy) {
                            begunWhileBusy = true;
                        } else if (deadline == null || idle) {
                            startRequestTimer(context);
                        }
                    }
                    context.fireChannelRead(message);
                }

                @Override
                public void channelInactive(ChannelHandlerContext context) {
                    cancel();
                    context.fireChannelInactive();
                }
            };
        }

        ChannelHandler requests() {
            return new ChannelDuplexHandler() {
                @Override
                public void handlerAdded(ChannelHandlerContext context) {
                    answerContext = context;
                }

                @Override
                public void channelRead(ChannelHandlerContext context, Object message) {
                    if (message instanceof FullHttpRequest) {
                        cancel();
                        busy = true;
                    }
                    context.fireChannelRead(message);
                }

                @Override
                public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) {
                    if (message instanceof FullHttpResponse && busy) {
                        busy = false;
                        if (begunWhileBusy) {
                            begunWhileBusy = false;
                            startRequestTimer(context);
                        } else {
                            startIdleTimer(context);
                        }
                    }
                    context.write(message, promise);
                }
            };
        }

        private void startRequestTimer(ChannelHandlerContext context) {
            cancel();
            idle = false;
            deadline = context.executor().schedule(() -> {
                deadline = null;
                if (answerContext != null && context.channel().isActive()) {
                    HttpApi.write(answerContext, Response.error(408, "REQUEST_TIMEOUT", "the request did not "
                            + "arrive in full within " + limits.requestTimeMs() + " ms"), false);
                }
            }, limits.requestTimeMs(), TimeUnit.MILLISECONDS);
        }

        private void startIdleTimer(ChannelHandlerContext context) {
            cancel();
            idle = true;
            deadline = context.executor().schedule(() -> {
                deadline = null;
                context.close();
            }, limits.idleTimeoutMs(), TimeUnit.MILLISECONDS);
        }

        private void cancel() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
        }
    }

    /**
     * First on a TLS port: looks at the first bytes. A TLS record puts the {@link SslHandler} in its place; anything
     * else hears {@code 400 HTTPS_REQUIRED} (in plain HTTP, so the client can read it) and is closed.
     */
    static final class HttpsOnly extends ByteToMessageDecoder {
        private final SslContext tls;
        private final String url;

        HttpsOnly(SslContext tls, String url) {
            this.tls = tls;
            this.url = url;
        }

        @Override
        protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
            if (in.readableBytes() < 5) {
                return; // a TLS record header is 5 bytes
            }
            if (SslHandler.isEncrypted(in, false)) {
                SslHandler handler = tls.newHandler(context.alloc());
                handler.setHandshakeTimeoutMillis(0); // the RequestClock bounds the handshake
                context.pipeline().replace(this, "tls", handler);
                return;
            }
            in.skipBytes(in.readableBytes());
            Response refusal = Response.error(400, "HTTPS_REQUIRED", "this node serves HTTPS only: use " + url);
            String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: " + refusal.contentType() + "\r\nContent-Length: "
                    + refusal.body().length + "\r\nConnection: close\r\n\r\n";
            ByteBuf answer = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), refusal.body());
            context.writeAndFlush(answer).addListener(CLOSE_AFTER_ANSWER);
        }
    }
}
