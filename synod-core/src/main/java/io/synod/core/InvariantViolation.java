package io.synod.core;

/** A protocol invariant does not hold. The node that throws it must stop; it is a bug, never an expected outcome. */
public final class InvariantViolation extends RuntimeException {
    public InvariantViolation(String message) {
        super(message);
    }
}
