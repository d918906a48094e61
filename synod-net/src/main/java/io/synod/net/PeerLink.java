package io.synod.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.synod.core.message.Envelope;
import io.synod.net.TransportListener.DropReason;
import io.synod.net.proto.Frame;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything this node keeps about one peer: its address, its current established connection (if any), the bounded
 * outbound queue, and the re-dial state when this node is the one that dials.
 *
 * <p>Sending: {@link #enqueue} (any thread) puts a message on the queue and, if no drain is pending, schedules one on
 * the connection's event loop. {@link #drain} encodes and writes everything queued while the channel is writable,
 * then flushes once: one flush per event-loop turn, however many messages arrived. When the channel is not writable
 * (Netty's outbound buffer is above its high-water mark) messages stay queued and the queue bound starts dropping;
 * the drain resumes when the channel is writable again.
 */
final class PeerLink {
    final int peerId;
    final InetSocketAddress address;
    /** True if this node dials the peer (this node has the lower id). */
    final boolean dialer;

    private final NettyTransport transport;
    private final int maxQueuedMessages;
    private final ConcurrentLinkedQueue<Envelope> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    /** The established connection, or null. Written under the link's lock, read anywhere. */
    private volatile Channel channel;
    /** {@link System#nanoTime()} when the last frame from the peer arrived (pings included). */
    private volatile long lastHeardNanos;
    /** The peer's advertised HTTP URL from its last Hello, or null before the first one. */
    private volatile String httpUrl;
    /** Dial attempts that failed since the last established connection; guarded by the link's lock. */
    private int failedAttempts;
    /**
     * The kind of the last failure logged in the current streak (a failed dial or handshake, on either side of the
     * connection), or null; guarded by the link's lock.
     */
    private String loggedFailureKind;

    PeerLink(NettyTransport transport, int peerId, InetSocketAddress address, boolean dialer, int maxQueuedMessages) {
        this.transport = transport;
        this.peerId = peerId;
        this.address = address;
        this.dialer = dialer;
        this.maxQueuedMessages = maxQueuedMessages;
    }

    boolean isConnected() {
        return channel != null;
    }

    /** A frame from the peer arrived just now. Called on the connection's event loop. */
    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    /** Whether the connection is up and a frame arrived from the peer in the last {@code silenceMs}. */
    boolean heardWithin(long silenceMs) {
        return channel != null && System.nanoTime() - lastHeardNanos < silenceMs * 1_000_000;
    }

    String httpUrl() {
        return httpUrl;
    }

    int queuedMessages() {
        return queued.get();
    }

    /** Makes {@code newChannel} the established connection; returns the one it replaces, or null. */
    synchronized Channel attach(Channel newChannel, String peerHttpUrl) {
        heard();
        Channel old = channel;
        channel = newChannel;
        httpUrl = peerHttpUrl;
        failedAttempts = 0;
        loggedFailureKind = null;
        return old;
    }

    /** Forgets {@code lost} if it is the established connection; returns whether it was. */
    synchronized boolean detach(Channel lost) {
        if (channel != lost) {
            return false; // a connection that was replaced, or never established
        }
        channel = null;
        return true;
    }

    /** Whether a dial failure of {@code kind} is news: not the same kind as the last one since the last success. */
    synchronized boolean newFailureKind(String kind) {
        boolean news = !kind.equals(loggedFailureKind);
        loggedFailureKind = kind;
        return news;
    }

    /** Counts one more failed dial attempt and returns how many failed before it. */
    synchronized int nextFailedAttempt() {
        return failedAttempts++;
    }

    /** Queues {@code envelope} for the peer, or drops it. Never blocks; safe on any thread. */
    void enqueue(Envelope envelope) {
        Channel current = channel;
        if (current == null) {
            transport.dropped(envelope, DropReason.NOT_CONNECTED);
            return;
        }
        if (queued.incrementAndGet() > maxQueuedMessages) {
            queued.decrementAndGet();
            transport.dropped(envelope, DropReason.QUEUE_FULL);
            return;
        }
        queue.offer(envelope);
        if (drainScheduled.compareAndSet(false, true)) {
            scheduleDrainOn(current);
        }
    }

    /** Schedules a drain, e.g. when the channel became writable again. */
    void scheduleDrain() {
        Channel current = channel;
        if (current != null && drainScheduled.compareAndSet(false, true)) {
            scheduleDrainOn(current);
        }
    }

    private void scheduleDrainOn(Channel target) {
        try {
            target.eventLoop().execute(this::drain);
        } catch (RejectedExecutionException e) {
            drainScheduled.set(false); // the transport is shutting down
            dropQueued(DropReason.CLOSED);
        }
    }

    /** Writes what is queued to the established connection, then flushes once. Runs on an event loop. */
    private void drain() {
        drainScheduled.set(false); // a message queued from now on schedules another drain
        Channel current = channel;
        if (current == null || !current.isActive()) {
            dropQueued(DropReason.NOT_CONNECTED);
            return;
        }
        if (!current.eventLoop().inEventLoop()) {
            scheduleDrain(); // the connection was replaced by one on another event loop
            return;
        }
        boolean wrote = false;
        while (current.isWritable()) {
            Envelope envelope = queue.poll();
            if (envelope == null) {
                break;
            }
            queued.decrementAndGet();
            Frame frame = MessageCodec.encode(envelope);
            int size = frame.getSerializedSize();
            if (size > transport.maxFrameBytes()) {
                transport.tooLarge(envelope, size);
                continue;
            }
            ByteBuf bytes = Frames.toByteBuf(current.alloc(), frame, size);
            current.write(bytes, current.voidPromise());
            transport.sent(envelope, size);
            wrote = true;
        }
        if (wrote) {
            current.flush();
        }
    }

    /** Drops everything queued, counting each message with {@code reason}. Safe on any thread. */
    void dropQueued(DropReason reason) {
        Envelope envelope;
        while ((envelope = queue.poll()) != null) {
            queued.decrementAndGet();
            transport.dropped(envelope, reason);
        }
    }
}
