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

    /**
     * Order a read (ReadIndex): the node answers, in a later Ready's {@link Ready#readIndexes()}, with an index such
     * that a state that has applied every slot below it holds every write acknowledged before this input; or refuses
     * it ({@link Ready#rejected()}). {@code requestId} is chosen like a proposal's, from the same space.
     */
    record ReadIndex(long requestId) implements Input {}

    /**
     * The replica wrote a snapshot of the state machine at {@code slot} (covering every slot below it), durably, of
     * {@code totalBytes} bytes. The node may serve it to peers, and forgets chosen values below {@code retainFrom}
     * (at most {@code slot}): a peer that needs them gets the snapshot instead.
     */
    record SnapshotTaken(long slot, long totalBytes, long retainFrom) implements Input {}

    /**
     * The replica finished receiving the snapshot at {@code slot}: if {@code ok}, it is durable, its checksum held and
     * the state machine was restored from it, so every slot below {@code slot} counts as applied, and
     * {@code electionState} is the election's state the snapshot held. If not (a bad checksum), the node fetches it
     * again.
     */
    record SnapshotInstalled(long slot, boolean ok, byte[] electionState) implements Input {}

    /**
     * The node is about to stop cleanly: its election gives up what it holds (a master releases its lease) so a
     * successor can take over at once. Step it, obey the Ready (its messages must go out), then stop.
     */
    record Release() implements Input {}

    /** The singleton tick. */
    Tick TICK = new Tick();
}
