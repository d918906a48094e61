package io.synod.sim.history;

/**
 * The precondition of a write: none, {@code If-Match: "v"} (compare-and-set on the key's version) or
 * {@code If-None-Match: *} (create only). Reads always carry {@link None}; a delete may carry {@link None} or
 * {@link IfMatch}. {@link Operation} enforces those combinations, and the checker's register model decides what a
 * condition means for each answer.
 */
public sealed interface Condition {
    /** The write applies whatever the key holds. */
    record None() implements Condition {}

    /**
     * The write applies only if the key exists with exactly this version.
     *
     * @param version the version the client expects, zero or more
     */
    record IfMatch(long version) implements Condition {
        /** Checks that the expected version is not negative; throws IllegalArgumentException otherwise. */
        public IfMatch {
            if (version < 0) {
                throw new IllegalArgumentException("an ifMatch version cannot be negative, got " + version);
            }
        }
    }

    /** The write applies only if the key does not exist (a put that creates). */
    record IfAbsent() implements Condition {}

    /** Returns the condition that always holds; callers use it for unconditional writes and for every read. */
    static Condition none() {
        return new None();
    }

    /** Returns the compare-and-set condition on {@code version}; throws IllegalArgumentException if negative. */
    static Condition ifMatch(long version) {
        return new IfMatch(version);
    }

    /** Returns the create-only condition. */
    static Condition ifAbsent() {
        return new IfAbsent();
    }
}
