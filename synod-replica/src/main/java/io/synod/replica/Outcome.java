package io.synod.replica;

/** How a proposal ended, as the replica reports it to the caller that made it. */
public sealed interface Outcome {
    /** The command was chosen for {@code slot} and applied; {@code result} is what the state machine returned. */
    record Applied(long slot, byte[] result) implements Outcome {}

    /** The command was not put in the log and never will be; safe to retry. */
    record Rejected(io.synod.core.Ready.Reason reason) implements Outcome {}
}
