package io.synod.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.synod.core.message.Envelope;
import io.synod.net.proto.Frame;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of one connection's pipeline: runs the handshake, then checks and delivers the peer's messages.
 * One instance per connection, used only on that connection's event loop.
 *
 * <p>Handshake: with TLS the {@code SslHandler} before this handler runs the TLS handshake first; the dialing side
 * sends its Hello once that succeeded (without TLS: as soon as the connection is up). The Hello exchange itself is
 * {@link Handshake}'s: two Hellos, or with a cluster secret two Hellos and a HelloProof. A side considers the peer
 * connected only when its part of the exchange is done, and only then do protocol messages flow; a failed TLS
 * handshake or a refused Hello closes the connection with one log line saying why. One timeout,
 * {@link TransportConfig#handshakeTimeoutMs}, covers TLS and the Hello exchange together.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final NettyTransport transport;
    private final FrameDecoder decoder;
    /** The peer this node dialed on this connection, or null for a connection this node accepted. */
    private final PeerLink dialed;
    private final Handshake handshake;
    /** Whether an SslHandler runs before this handler, so the Hello waits for the TLS handshake. */
    private final boolean tls;

    /** Whether the TLS handshake succeeded (always false without TLS). */
    private boolean tlsDone;
    /** The peer once the handshake is done, else null. */
    private PeerLink peer;
    private ScheduledFuture<?> handshakeTimeout;
    /** Set when this handler decided to close the connection, so a connection yields at most one log line. */
    private boolean closing;

    ConnectionHandler(NettyTransport transport, FrameDecoder decoder, PeerLink dialed, Handshake handshake,
            boolean tls) {
        this.transport = transport;
        this.decoder = decoder;
        this.dialed = dialed;
        this.handshake = handshake;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long timeoutMs = transport.config().handshakeTimeoutMs();
        handshakeTimeout = ctx.executor().schedule(() -> refuse(ctx, tls && !tlsDone
                ? "TLS handshake not complete within " + timeoutMs + " ms"
                : "no " + handshake.awaiting() + " within " + timeoutMs + " ms"), timeoutMs, TimeUnit.MILLISECONDS);
        if (dialed != null && !tls) {
            ctx.writeAndFlush(Frames.toByteBuf(ctx.alloc(), handshake.dialerHello()));
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        InboundFrame inbound = (InboundFrame) message;
        if (closing) {
            return;
        }
        if (peer == null) {
            onHandshake(ctx, inbound.frame());
        } else {
            onFrame(ctx, inbound);
        }
    }

    private void onHandshake(ChannelHandlerContext ctx, Frame frame) {
        switch (handshake.receive(frame)) {
            case Handshake.Outcome.Reply reply -> ctx.writeAndFlush(Frames.toByteBuf(ctx.alloc(), reply.reply()));
            case Handshake.Outcome.Refused refused -> refuse(ctx, refused.reason());
            case Handshake.Outcome.Established established -> {
                if (established.reply() != null) {
                    // Written first, before any message queued for the peer can be written on this connection.
                    ctx.writeAndFlush(Frames.toByteBuf(ctx.alloc(), established.reply()));
                }
                handshakeTimeout.cancel(false);
                decoder.handshakeDone();
                peer = dialed != null ? dialed : transport.link(established.peerId());
                transport.established(peer, ctx.channel(), established.httpUrl());
            }
        }
    }

    private void onFrame(ChannelHandlerContext ctx, InboundFrame inbound) {
        Frame frame = inbound.frame();
        peer.heard();
        switch (frame.getBodyCase()) {
            case PING -> {} // it only kept the connection from looking idle
            case HELLO, HELLO_PROOF -> badFrame(ctx, frame.getBodyCase() + " from peer " + peer.peerId
                    + " after the handshake");
            default -> {
                Envelope envelope;
                try {
                    envelope = MessageCodec.decode(frame);
                } catch (MessageCodec.MalformedMessageException e) {
                    badFrame(ctx, "malformed message from peer " + peer.peerId + ": " + e.getMessage());
                    return;
                }
                if (envelope.from() != peer.peerId || envelope.to() != transport.config().nodeId()) {
                    badFrame(ctx, "message from " + envelope.from() + " to " + envelope.to()
                            + " on the connection of peer " + peer.peerId);
                    return;
                }
                transport.deliver(envelope, inbound.bytes());
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (peer != null && ctx.channel().isWritable()) {
            peer.scheduleDrain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent completion) {
            if (closing) {
                return;
            }
            if (completion.isSuccess()) {
                tlsDone = true;
                if (dialed != null) {
                    ctx.writeAndFlush(Frames.toByteBuf(ctx.alloc(), handshake.dialerHello()));
                }
            } else {
                tlsFailed(ctx, completion.cause());
            }
            return;
        }
        if (event instanceof IdleStateEvent idle && peer != null && !closing) {
            switch (idle.state()) {
                case WRITER_IDLE -> ctx.writeAndFlush(Frames.toByteBuf(ctx.alloc(), Frames.ping()), ctx.voidPromise());
                case READER_IDLE -> {
                    closing = true;
                    transport.log().info("peer {}: nothing received for {} ms, closing the connection",
                            peer.peerId, transport.config().idleTimeoutMs());
                    ctx.close();
                }
                case ALL_IDLE -> {}
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        if (peer != null) {
            transport.lost(peer, ctx.channel());
        } else if (dialed == null && !closing && handshake.awaitedProver() >= 0) {
            transport.proofRefused(transport.link(handshake.awaitedProver()), describe(ctx));
        } else if (dialed != null && !closing) {
            // The peer closed the connection before answering our Hello: it refused us (its log says why) or it is
            // shutting down.
            transport.dialFailed(dialed, "handshake", "it closed the connection during the handshake; if this "
                    + "repeats, it refused this node (its log says why): compare cluster id, peers, version, --tls-* and "
                    + "--cluster-secret-file");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closing) {
            return;
        }
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (cause instanceof FrameDecoder.BadFrameException bad) {
            badFrame(ctx, bad.getMessage());
            return;
        }
        if (TlsFailure.isTls(cause)) {
            if (peer == null) {
                // In TLS 1.3 the dialing side sees its handshake complete before the accepting side has checked its
                // certificate; a refusal arrives afterwards, as an alert, while the Hello exchange runs.
                tlsFailed(ctx, cause);
            } else {
                closing = true;
                transport.log().info("peer {}: TLS error on the connection {}, closing it: {}", peer.peerId,
                        describe(ctx), TlsFailure.reason(cause, null));
                ctx.close();
            }
            return;
        }
        closing = true;
        if (root instanceof IOException) {
            // The other side reset the connection or the network failed: channelInactive reports it.
            transport.log().debug("connection {}: {}", describe(ctx), root.toString());
        } else {
            transport.log().warn("connection {}: unexpected error, closing it", describe(ctx), cause);
        }
        ctx.close();
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        if (closing || peer != null) {
            return;
        }
        closing = true;
        transport.handshakeRefused(dialed, describe(ctx), reason);
        ctx.close();
    }

    private void tlsFailed(ChannelHandlerContext ctx, Throwable cause) {
        if (closing || peer != null) {
            return;
        }
        closing = true;
        transport.tlsFailed(dialed, String.valueOf(ctx.channel().remoteAddress()),
                TlsFailure.reason(cause, dialed == null ? null : dialed.address.getHostString()));
        ctx.close();
    }

    private void badFrame(ChannelHandlerContext ctx, String reason) {
        closing = true;
        transport.badFrame(describe(ctx), reason);
        ctx.close();
    }

    private String describe(ChannelHandlerContext ctx) {
        if (dialed != null) {
            return "to peer " + dialed.peerId + " at " + dialed.address.getHostString() + ":" + dialed.address.getPort();
        }
        return "from " + ctx.channel().remoteAddress() + (peer != null ? " (peer " + peer.peerId + ")" : "");
    }
}
