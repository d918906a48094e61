package io.synod.core;

/**
 * The application the log drives: the seam between consensus and what it replicates (a key-value store, a test
 * model). Every replica applies the same commands in the same slot order, so every replica's state machine must reach
 * the same state: {@code apply} must be deterministic, a function of the current state and its arguments only (no
 * clock, no randomness, no environment).
 *
 * <p>Contract: called only by the replica loop, on its one thread. {@code apply} is called in slot order, once per
 * command of each chosen value (commands of one slot in their batch order). No method may block on I/O except
 * {@link Snapshot#writeTo}, which may run on another thread. A command the state machine cannot make sense of is
 * still "applied": it returns an error result, it must not throw; an exception stops the node. On return the state
 * change is in memory only; durability comes from the log and from snapshots.
 */
public interface StateMachine {
    /**
     * Applies {@code command}, chosen for {@code slot}, and returns the result for the client that proposed it.
     *
     * @param slot the slot the command was chosen in; slots never go down between calls
     * @param command the command's bytes, exactly as proposed; never modified
     * @return the answer for the proposing client (may be empty, never null)
     */
    byte[] apply(long slot, byte[] command);

    /**
     * Captures the state as it is now, after the last applied command. Called on the loop thread, which waits for it,
     * so it must be quick: copy what must be copied, and leave the encoding to {@link Snapshot#writeTo}. Later applies
     * must not change what the returned snapshot writes.
     */
    Snapshot snapshot();

    /**
     * Replaces the whole state with what {@link Snapshot#writeTo} wrote. Called on the loop thread before any apply
     * that follows the snapshot. The bytes were checksummed by the storage; bytes the state machine cannot parse are a
     * bug or corruption and it throws {@link IllegalStateException}, which stops the node.
     */
    void restore(SnapshotSource source);

    /** A captured state, written out later, possibly on another thread. */
    interface Snapshot {
        /** Writes the state's bytes; the same snapshot always writes the same bytes. */
        void writeTo(SnapshotSink sink);
    }

    /** Where a snapshot's bytes go. Implementations report I/O failures as unchecked exceptions. */
    interface SnapshotSink {
        void write(byte[] bytes, int offset, int length);
    }

    /** Where a snapshot's bytes come from. */
    interface SnapshotSource {
        /** Reads up to {@code length} bytes; returns how many, or -1 at the end. */
        int read(byte[] buffer, int offset, int length);
    }
}
