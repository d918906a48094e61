package io.synod.sim.history;

import java.util.List;

/**
 * Everything {@link LinearizabilityChecker} found about one key, for {@link FailureReport}.
 *
 * @param key the key
 * @param operations how many operations touch it, stale reads and unknown outcomes included
 * @param verdict the linearizability search's verdict on its non-stale operations
 * @param staleViolations the stale reads that broke the stale-read rule, with reasons
 */
record KeyFinding(String key, int operations, KeyVerdict verdict, List<KeyVerdict.Candidate> staleViolations) {
    /** Returns true if the key definitely breaks a rule: no linearization, or a bad stale read. */
    boolean fails() {
        return verdict.outcome() == KeyVerdict.Outcome.NOT_LINEARIZABLE || !staleViolations.isEmpty();
    }

    /** Returns true if the search ran out of its bound on this key before deciding. */
    boolean inconclusive() {
        return verdict.outcome() == KeyVerdict.Outcome.INCONCLUSIVE;
    }
}
