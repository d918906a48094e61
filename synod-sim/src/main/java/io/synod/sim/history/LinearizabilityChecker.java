package io.synod.sim.history;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a history of key-value operations is linearizable: that every operation can be given one instant between
 * its invocation and its completion such that, taken in that order, the operations obey the sequential model below.
 * Tests and {@code synod check-history} call {@link #check}; it is deterministic (the same operations always give the
 * same verdict, counts and report) and never runs past its bound.
 *
 * <p><b>Model: a versioned register per key.</b> Each key holds a value and a version, or is absent; versions are
 * revisions of the whole store, so on one key every change (write or delete) has a greater version than the change
 * before it, and a key nobody wrote is absent at version 0.
 * <ul>
 *   <li>{@code put(value)} answered version V: requires V greater than the key's last change's version; the key then
 *       holds (value, V). With {@code ifMatch v} it also requires that the key exists at exactly version v; with
 *       {@code ifAbsent} that it does not exist.</li>
 *   <li>{@code delete} answered version V and deleted: requires V greater than the last change's version and
 *       {@code deleted} equal to whether the key existed; the key is then absent and any later change needs a version
 *       greater than V. {@code ifMatch v} also requires the key exists at version v.</li>
 *   <li>A 412 answer is an observation that the condition did not hold; if it names a current version c, the key
 *       existed at c; if it says the key was absent, it was.</li>
 *   <li>{@code read} returned (value, version) or absent: the key held exactly that.</li>
 *   <li>An operation with an unknown outcome ({@link Answer.Unknown}) may take effect at any instant after its
 *       invocation, or never. If a write of that kind takes effect, its condition held, and its version is unknown but
 *       greater than the one before; the next observation of a version pins it. Unknown reads are ignored.</li>
 *   <li>Reads at the {@value Operation#STALE} level are not linearized. They follow a weaker rule: a stale read that
 *       returned (value, version) must match some put of the key with that value whose answer was that version or
 *       unknown, invoked no later than the read completed; a stale read of absent is always accepted. Breaking it is
 *       reported like a linearizability failure.</li>
 *   <li>Operations are concurrent when their intervals overlap, counting an invocation at the very instant another
 *       operation completes as overlapping (the lenient choice: it can hide a violation that hangs on a tie of the
 *       clock, never invent one).</li>
 * </ul>
 *
 * <p><b>Search.</b> Operations on different keys are independent, so each key's sub-history is checked on its own (a
 * history is linearizable exactly when every key's is), in key order: Wing and Gong's search with Lowe's just-in-time
 * linearization and a memo of explored (linearized set, state) configurations, pruned by version bounds and by placing
 * unknown-outcome operations only where they enable the next one. Each key's search may enter at most
 * {@code maxConfigurationsPerKey} configurations; one that needs more makes the result inconclusive rather than running
 * on. Memory grows with the configurations entered times the operations on the key.
 */
public final class LinearizabilityChecker {
    /** The default bound on configurations entered per key; a few million keeps the memo within a normal heap. */
    public static final long DEFAULT_MAX_CONFIGURATIONS = 2_000_000;

    private final long maxConfigurationsPerKey;

    /** Creates a checker with the default bound of {@value #DEFAULT_MAX_CONFIGURATIONS} configurations per key. */
    public LinearizabilityChecker() {
        this(DEFAULT_MAX_CONFIGURATIONS);
    }

    /**
     * Creates a checker whose search on each key enters at most {@code maxConfigurationsPerKey} configurations.
     * Throws IllegalArgumentException if the bound is less than one.
     */
    public LinearizabilityChecker(long maxConfigurationsPerKey) {
        if (maxConfigurationsPerKey < 1) {
            throw new IllegalArgumentException("the bound on configurations must be at least 1, got "
                    + maxConfigurationsPerKey);
        }
        this.maxConfigurationsPerKey = maxConfigurationsPerKey;
    }

    /**
     * The outcome of one check. Exactly one of three cases holds: linearizable (report empty), not linearizable (some
     * key definitely breaks a rule; report begins "not linearizable"), or inconclusive (no key was found to break a
     * rule but some key's search reached the bound; report begins "inconclusive").
     *
     * @param linearizable true if every key was proven linearizable and every stale read obeys its rule
     * @param inconclusive true if no violation was found but the search on some key reached its bound
     * @param operationsChecked how many operations the history had (stale reads and unknown outcomes included)
     * @param keys how many distinct keys they touch
     * @param configurationsExplored the configurations the searches entered, over all keys
     * @param elapsedMs how long the check took, in milliseconds (the only part that varies between runs)
     * @param report the failure report, or empty if linearizable
     */
    public record Result(boolean linearizable, boolean inconclusive, int operationsChecked, int keys,
            long configurationsExplored, long elapsedMs, String report) {
        /** Checks that the three cases are exclusive and the report is empty exactly when linearizable. */
        public Result {
            if (linearizable && inconclusive) {
                throw new IllegalArgumentException("a result cannot be both linearizable and inconclusive");
            }
            if (linearizable != report.isEmpty()) {
                throw new IllegalArgumentException("the report is empty exactly when the history is linearizable");
            }
        }

        /**
         * Returns one line: {@code linearizable: 1204 operations on 4 keys (1032 configurations explored, 12 ms)}, or
         * the report's first line if the history is not linearizable or the check was inconclusive.
         */
        public String summary() {
            if (!linearizable) {
                return report.lines().findFirst().orElseThrow();
            }
            return "linearizable: " + FailureReport.plural(operationsChecked, "operation") + " on "
                    + FailureReport.plural(keys, "key") + " (" + FailureReport.plural(configurationsExplored,
                    "configuration") + " explored, " + elapsedMs + " ms)";
        }
    }

    /**
     * Checks {@code operations}, in any order, and returns the verdict. Throws IllegalArgumentException if two
     * operations share an id.
     */
    public Result check(List<Operation> operations) {
        long startNs = System.nanoTime();
        Map<String, List<Operation>> byKey = new TreeMap<>();
        Set<Integer> ids = new HashSet<>();
        for (Operation operation : operations) {
            if (!ids.add(operation.id())) {
                throw new IllegalArgumentException("two operations have id " + operation.id());
            }
            byKey.computeIfAbsent(operation.key(), key -> new ArrayList<>()).add(operation);
        }
        List<KeyFinding> findings = new ArrayList<>(byKey.size());
        long configurations = 0;
        for (Map.Entry<String, List<Operation>> entry : byKey.entrySet()) {
            KeyFinding finding = checkKey(entry.getKey(), entry.getValue());
            configurations += finding.verdict().configurations();
            findings.add(finding);
        }
        boolean fails = findings.stream().anyMatch(KeyFinding::fails);
        boolean inconclusive = !fails && findings.stream().anyMatch(KeyFinding::inconclusive);
        String report = fails || inconclusive
                ? FailureReport.build(findings, operations.size(), configurations, maxConfigurationsPerKey)
                : "";
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        return new Result(!fails && !inconclusive, inconclusive, operations.size(), byKey.size(), configurations,
                elapsedMs, report);
    }

    private KeyFinding checkKey(String key, List<Operation> operations) {
        List<Operation> sorted = new ArrayList<>(operations);
        sorted.sort((left, right) -> Integer.compare(left.id(), right.id()));
        List<Operation> searched = new ArrayList<>(sorted.size());
        for (Operation operation : sorted) {
            boolean unknownRead = operation.kind() == Operation.Kind.READ && operation.isUnknown();
            if (!operation.isStaleRead() && !unknownRead) {
                searched.add(operation);
            }
        }
        KeyVerdict verdict = new KeySearch(searched, maxConfigurationsPerKey).run();
        return new KeyFinding(key, sorted.size(), verdict, StaleReadRule.violations(sorted));
    }
}
