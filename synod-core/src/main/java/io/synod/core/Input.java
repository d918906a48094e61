package io.synod.core;

import io.synod.core.message.Envelope;

/**
 * Everything that happens to a node arrives as an input to {@link Node#step}: a message from a peer, the passing of
 * time, or a client command. The node has no other way to learn anything.
 */
public sealed interface Input {
    /** A message arrived from a peer. */
    record Receive(Envelope envelope) implements Input {}

    /** Time passed; the node runs any timer that is due. Deliver one at or after {@link Ready#wakeAtMs()}. */
    record Tick() implements Input {}

    /**
     * A client command to put in the log. {@code requestId} is chosen by the caller, unique among this node's
     * commands for as long as any of them may still be chosen (a random 64-bit id is enough).
     */
    record Propose(long requestId, byte[] payload) implements Input {}

    /** The singleton tick. */
    Tick TICK = new Tick();
}
