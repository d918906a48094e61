package io.synod.net;

import io.synod.core.message.Message;

/**
 * Callbacks about what a {@link NettyTransport} does, for metrics and tests. Every method has a no-op default, so an
 * implementation overrides only what it counts; {@link #NOOP} ignores everything.
 *
 * <p>Threads: called on Netty event-loop threads, and for drops also on the thread that called
 * {@link NettyTransport#send}; possibly concurrently. Implementations must be thread-safe, fast, must not block and
 * must not throw (an exception is logged and otherwise ignored).
 */
public interface TransportListener {
    /** Ignores every event. */
    TransportListener NOOP = new TransportListener() {};

    /** Why a message was not sent. */
    enum DropReason {
        /** No established connection to the peer right now. */
        NOT_CONNECTED,
        /** The peer's outbound queue holds {@link TransportConfig#maxQueuedMessages} already. */
        QUEUE_FULL,
        /** The encoded frame is above {@link TransportConfig#maxFrameBytes}; this is a bound the core must respect. */
        TOO_LARGE,
        /** The receiver is not a peer in the configuration (or is this node itself). */
        UNKNOWN_PEER,
        /** The transport is not started yet or is closed. */
        CLOSED
    }

    /** The handshake with {@code peer} completed: messages to it are sent from now on. */
    default void peerConnected(int peer) {}

    /** The connection to {@code peer} was lost; messages to it are dropped until it is back. */
    default void peerDisconnected(int peer) {}

    /** A message was written to the connection to {@code peer}; {@code frameBytes} excludes the length prefix. */
    default void messageSent(int peer, Class<? extends Message> type, int frameBytes) {}

    /** A message from {@code peer} was decoded and handed to the inbound consumer. */
    default void messageReceived(int peer, Class<? extends Message> type, int frameBytes) {}

    /** A message to {@code peer} was dropped, and why. */
    default void messageDropped(int peer, Class<? extends Message> type, DropReason reason) {}

    /**
     * A connection was closed during the handshake: its TLS handshake failed (no certificate, one not signed by the
     * CA, one that does not name the address dialed), the other side's Hello named another protocol version, another
     * cluster, or a node id not expected on that connection, it did not prove the cluster secret (or proved one this
     * node does not have), or the handshake did not complete in time.
     *
     * @param remoteAddress the other end of the connection, for the log
     * @param reason one sentence, the same as the log line's
     */
    default void handshakeRefused(String remoteAddress, String reason) {}

    /**
     * A connection was closed because it sent bytes that are not a valid frame (garbage, a length above the maximum,
     * unparsable protobuf, an invalid or misaddressed message).
     */
    default void badFrame(String remoteAddress, String reason) {}
}
