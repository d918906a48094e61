package io.synod.core.message;

/**
 * A protocol message between two nodes. The set is closed: the node dispatches with an exhaustive {@code switch}, so a
 * message type nobody handles does not compile.
 *
 * <p>Messages are immutable values. A transport may deliver one late, twice, out of order or never; the protocol is
 * safe under all of these.
 */
public sealed interface Message
        permits Prepare, Promise, Accept, Accepted, Nack, Commit, CatchUpRequest, CatchUpReply,
                SnapshotRequest, SnapshotChunk, Confirm, Confirmed, ElectionMessage {}
