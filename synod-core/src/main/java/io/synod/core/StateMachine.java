package io.synod.core;

/**
 * The application the log drives: the seam between consensus and what it replicates (a key-value store, a test
 * model). Every replica applies the same commands in the same slot order, so every replica's state machine must reach
 * the same state: {@code apply} must be deterministic, a function of the current state and its arguments only (no
 * clock, no randomness, no environment).
 *
 * <p>Contract: called only by the replica loop, on its one thread, in slot order, once per command of each chosen
 * value (commands of one slot in their batch order). It may not block on I/O. A command the state machine cannot
 * make sense of is still "applied": it returns an error result, it must not throw; an exception stops the node.
 * On return the state change is in memory only; durability comes from the log and from snapshots.
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
}
