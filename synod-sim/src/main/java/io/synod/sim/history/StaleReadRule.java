package io.synod.sim.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The weaker rule for reads at the {@value Operation#STALE} level, which may return old data and so are not checked
 * for linearizability: a stale read that returned a value at a version must match some put of the same key, with that
 * value, whose answer was that version or was unknown, invoked no later than the read completed. A stale read that
 * returned absent, or whose outcome is unknown, is always accepted. {@link LinearizabilityChecker} applies it per key.
 */
final class StaleReadRule {
    private StaleReadRule() {}

    /**
     * Returns the stale reads among {@code operations} (all on one key) that break the rule, in id order, each with a
     * one-sentence reason; an empty list if none do.
     */
    static List<KeyVerdict.Candidate> violations(List<Operation> operations) {
        Map<String, List<Operation>> putsByValue = new HashMap<>();
        for (Operation operation : operations) {
            if (operation.kind() == Operation.Kind.PUT && (operation.answer() instanceof Answer.Written
                    || operation.isUnknown())) {
                putsByValue.computeIfAbsent(operation.value(), value -> new ArrayList<>()).add(operation);
            }
        }
        List<KeyVerdict.Candidate> violations = new ArrayList<>();
        for (Operation read : operations) {
            if (read.isStaleRead() && read.answer() instanceof Answer.ReadValue value
                    && !writtenBefore(putsByValue.getOrDefault(value.value(), List.of()), value, read.completeTime())) {
                violations.add(new KeyVerdict.Candidate(read, "no put of " + Describe.quote(value.value())
                        + " answered version " + value.version() + " (or had an unknown outcome) and was invoked by "
                        + read.completeTime()));
            }
        }
        return violations;
    }

    private static boolean writtenBefore(List<Operation> puts, Answer.ReadValue value, long readCompleteTime) {
        for (Operation put : puts) {
            boolean sameVersion = put.answer() instanceof Answer.Written written
                    && written.version() == value.version();
            if ((sameVersion || put.isUnknown()) && put.invokeTime() <= readCompleteTime) {
                return true;
            }
        }
        return false;
    }
}
