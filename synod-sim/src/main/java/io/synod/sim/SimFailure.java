package io.synod.sim;

/** A checker found a violation, or the liveness phase ran out of time. Carries the checker's name. */
final class SimFailure extends RuntimeException {
    private final String checker;

    SimFailure(String checker, String message) {
        super(message);
        this.checker = checker;
    }

    String checker() {
        return checker;
    }
}
