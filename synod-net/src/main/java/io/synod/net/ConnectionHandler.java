package io.synod.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.synod.core.message.Envelope;
import io.synod.net.proto.Frame;
import io.synod.net.proto.Hello;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of one connection's pipeline: runs the handshake, then checks and delivers the peer's messages.
 * One instance per connection, used only on that connection's event loop.
 *
 * <p>Handshake: the dialing side sends its Hello as soon as the connection is up. The accepting side checks it and
 * either closes the connection (one log line saying why) or answers with its own Hello and considers the peer
 * connected. The dialing side checks that answer the same way. Only then does either side send protocol messages.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final NettyTransport transport;
    private final FrameDecoder decoder;
    /** The peer this node dialed on this connection, or null for a connection this node accepted. */
    private final PeerLink dialed;

    /** The peer once the handshake is done, else null. */
    private PeerLink peer;
    private ScheduledFuture<?> handshakeTimeout;
    /** Set when this handler decided to close the connection, so a connection yields at most one log line. */
    private boolean closing;

    ConnectionHandler(NettyTransport transport, FrameDecoder decoder, PeerLink dialed) {
        this.transport = transport;
        this.decoder = decoder;
        this.dialed = dialed;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long timeoutMs = transport.config().handshakeTimeoutMs();
        handshakeTimeout = ctx.executor().schedule(
                () -> refuse(ctx, "no Hello within " + timeoutMs + " ms"), timeoutMs, TimeUnit.MILLISECONDS);
        if (dialed != null) {
            ctx.writeAndFlush(Frames.toByteBuf(ctx.alloc(), Frames.hello(transport.config())));
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
        if (frame.getBodyCase() != Frame.BodyCase.HELLO) {
            refuse(ctx, "first frame is " + frame.getBodyCase() + ", not HELLO");
            return;
        }
        Hello hello = frame.getHello();
        String refusal = transport.checkHello(hello, dialed);
        if (refusal != null) {
            refuse(ctx, refusal);
            return;
        }
        if (dialed == null) {
            // Our Hello goes first, before any message queued for the peer can be written on this connection.
            ctx.writeAndFlush(Frames.toByteBuf(ctx.alloc(), Frames.hello(transport.config())));
        }
        handshakeTimeout.cancel(false);
        decoder.handshakeDone();
        peer = dialed != null ? dialed : transport.link(hello.getNodeId());
        transport.established(peer, ctx.channel(), hello.getHttpUrl());
    }

    private void onFrame(ChannelHandlerContext ctx, InboundFrame inbound) {
        Frame frame = inbound.frame();
        peer.heard();
        switch (frame.getBodyCase()) {
            case PING -> {} // it only kept the connection from looking idle
            case HELLO -> badFrame(ctx, "second Hello from peer " + peer.peerId);
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
        } else if (dialed != null && !closing) {
            // The peer closed the connection before answering our Hello: it refused us (its log says why) or it is
            // shutting down.
            transport.dialFailed(dialed, "handshake", "it closed the connection during the handshake; if this "
                    + "repeats, it refused this node (its log says why): compare cluster id, peers and version");
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
        transport.handshakeRefused(describe(ctx), reason);
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
