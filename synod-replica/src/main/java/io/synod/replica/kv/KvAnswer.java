package io.synod.replica.kv;

/**
 * How {@link KvService} answers. Every request gets exactly one answer. The answers keep the contract of DESIGN.md
 * §1: a write is reported applied only if it was, refused only if it never will be, and unknown otherwise.
 */
public final class KvAnswer {
    private KvAnswer() {}

    /** Why a request was refused. A refused write was not put in the log and never will be: it is safe to retry. */
    public enum Refusal {
        /** This node can see that it cannot reach a majority; it proposed nothing. */
        NO_QUORUM,
        /** Another node is master and this one may not propose. */
        NO_MASTER,
        /** Too many requests are waiting. */
        OVERLOADED,
        /** This node's disk is full: it is read-only until space returns. */
        DISK_FULL
    }

    /** The answer to a put or a delete. */
    public sealed interface Write {}

    /** The put was applied at {@code slot}; the key's version is now {@code version}. */
    public record Written(long slot, long version) implements Write {}

    /**
     * The delete was applied at {@code slot}, with revision {@code version}; {@code deleted} says whether the key
     * existed.
     */
    public record Deleted(long slot, long version, boolean deleted) implements Write {}

    /**
     * The condition did not hold when the write was applied at {@code slot}, so it changed nothing.
     * {@code currentVersion} is the key's version then, 0 if it did not exist.
     */
    public record PreconditionFailed(long slot, boolean exists, long currentVersion) implements Write {}

    /** The idempotency key was first used for a different request; nothing changed. */
    public record IdempotencyKeyReused(String error) implements Write {}

    /** The state machine could not make sense of the command; nothing changed. */
    public record BadCommand(String error) implements Write {}

    /** The write was not put in the log and never will be. */
    public record Refused(Refusal refusal) implements Write {}

    /**
     * The write may or may not be applied, now or later: the client must treat it as unknown (read the key).
     * {@code why} says what happened, in a few words.
     */
    public record Unknown(String why) implements Write {}

    /** The answer to a read of type {@code T} (a key's entry, a list of items). */
    public sealed interface Read<T> {}

    /**
     * The read's result, from this node's state with every slot below {@code appliedSlot} applied. {@code ordered}
     * is false for a read answered without ordering it against writes ({@code stale}).
     */
    public record Value<T>(T value, long appliedSlot, boolean ordered) implements Read<T> {}

    /** The read was not served, for {@code refusal}; it is safe to retry. */
    public record ReadRefused<T>(Refusal refusal) implements Read<T> {}

    /** The read did not complete in time (its min-slot was not reached, or it could not be ordered). */
    public record TimedOut<T>() implements Read<T> {}
}
