package io.synod.replica;

import io.synod.core.Ready;

/** How a proposal ended, as the replica reports it to the caller that made it. */
public sealed interface Outcome {
    /** The command was chosen for {@code slot} and applied; {@code result} is what the state machine returned. */
    record Applied(long slot, byte[] result) implements Outcome {}

    /** The command was not put in the log and never will be; safe to retry. */
    record Rejected(Ready.Reason reason) implements Outcome {}

    /**
     * The node can no longer tell whether the command was applied (its slot was covered by a snapshot from a peer).
     * The client must treat the write as unknown: it may or may not have happened.
     */
    record Unknown() implements Outcome {}

    /**
     * The node's disk filled up before the proposal was answered: the node dropped its protocol state (it is read-only
     * now) and will learn nothing more about the command. Like {@link Unknown}, the command may still be chosen
     * through the peers, so a write with this outcome is unknown, never failed.
     */
    record DiskFull() implements Outcome {}
}
