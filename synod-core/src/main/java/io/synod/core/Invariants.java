package io.synod.core;

/**
 * Always-on invariant checks. Unlike {@code assert}, these run in production: a broken invariant in a consensus
 * protocol means the node can no longer be trusted, so it stops with {@link InvariantViolation} rather than go on.
 */
public final class Invariants {
    private Invariants() {}

    /** Throws {@link InvariantViolation} with {@code message} if {@code condition} is false. */
    public static void check(boolean condition, String message) {
        if (!condition) {
            throw new InvariantViolation(message);
        }
    }

    /** Like {@link #check(boolean, String)}, formatting the message only when the check fails. */
    public static void check(boolean condition, String format, Object... arguments) {
        if (!condition) {
            throw new InvariantViolation(String.format(format, arguments));
        }
    }
}
