package io.synod.sim.history;

import java.util.List;

/**
 * What {@link KeySearch} found for one key's sub-history, for {@link LinearizabilityChecker} to combine and
 * {@link FailureReport} to explain.
 *
 * @param outcome whether a linearization exists, none does, or the search bound ran out first
 * @param configurations how many distinct (linearized set, state) configurations the search entered
 * @param deepest where the search got furthest: always present unless the outcome is linearizable
 */
record KeyVerdict(Outcome outcome, long configurations, Deepest deepest) {
    /** The three possible findings. */
    enum Outcome {
        /** Some order of the operations obeys real time and the register model. */
        LINEARIZABLE,
        /** No order does. */
        NOT_LINEARIZABLE,
        /** The search entered the most configurations allowed before deciding. */
        INCONCLUSIVE
    }

    /**
     * The longest linearizable prefix the search found, and where it could go no further from it.
     *
     * @param prefixLength how many operations the prefix has
     * @param lastSteps its last few operations, in order, each with the state after it
     * @param state the key's state at the end of the prefix
     * @param blocking the operation that returned without having been placed, so the search had to back up; null if
     *     the search never got stuck at this depth (an inconclusive search)
     * @param candidates the operations that could have gone next (invoked before {@code blocking} returned), each
     *     with why it could not
     */
    record Deepest(int prefixLength, List<PrefixStep> lastSteps, RegisterState state, Operation blocking,
            List<Candidate> candidates) {}

    /**
     * One operation of the prefix.
     *
     * @param operation the operation
     * @param after the key's state after it
     */
    record PrefixStep(Operation operation, RegisterState after) {}

    /**
     * One operation that could not go next.
     *
     * @param operation the operation
     * @param reason one sentence saying why
     */
    record Candidate(Operation operation, String reason) {}
}
