package io.synod.sim.history;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes the human-readable report of a history that is not linearizable, or whose check was inconclusive: a first
 * line beginning "not linearizable" or "inconclusive", then for the first failing key (in key order) the end of the
 * longest linearizable prefix with the state after each operation, the state there, the operation that returned
 * without a place, and every operation that could have gone next with why it could not. A few dozen lines at most;
 * {@link LinearizabilityChecker} calls it and the same findings always give the same text.
 */
final class FailureReport {
    /** The most candidates, or stale reads, listed for one key. */
    static final int MOST_LISTED = 12;

    private FailureReport() {}

    /**
     * Returns the report for {@code findings} (every key, in key order, at least one failing or inconclusive), with
     * totals over the whole history for the first line.
     */
    static String build(List<KeyFinding> findings, int operations, long configurations, long maxConfigurations) {
        List<KeyFinding> failing = findings.stream().filter(KeyFinding::fails).toList();
        List<KeyFinding> inconclusive = findings.stream().filter(KeyFinding::inconclusive).toList();
        if (failing.isEmpty() && inconclusive.isEmpty()) {
            throw new IllegalArgumentException("a failure report needs a failing or inconclusive key");
        }
        String totals = plural(operations, "operation") + " checked, " + plural(configurations, "configuration")
                + " explored";
        List<String> lines = new ArrayList<>();
        if (!failing.isEmpty()) {
            KeyFinding first = failing.getFirst();
            lines.add("not linearizable: key " + Describe.quote(first.key()) + " (" + failing.size() + " of "
                    + plural(findings.size(), "key") + " failing; " + totals + ")");
            describeFailure(first, lines);
            if (failing.size() > 1) {
                lines.add("other keys that fail: " + keyList(failing.subList(1, failing.size())));
            }
            if (!inconclusive.isEmpty()) {
                lines.add("keys whose search reached the bound of " + plural(maxConfigurations, "configuration")
                        + ": " + keyList(inconclusive));
            }
        } else {
            KeyFinding first = inconclusive.getFirst();
            lines.add("inconclusive: the search on key " + Describe.quote(first.key()) + " reached its bound of "
                    + plural(maxConfigurations, "configuration") + " before deciding (" + totals + ")");
            lines.add("key " + Describe.quote(first.key()) + ": " + plural(first.operations(), "operation")
                    + "; the longest linearizable prefix found has " + first.verdict().deepest().prefixLength()
                    + " of them");
            if (inconclusive.size() > 1) {
                lines.add("other keys whose search reached the bound: " + keyList(inconclusive.subList(1,
                        inconclusive.size())));
            }
            lines.add("no key was found to fail; raise the bound (--max-configurations) or check a shorter history");
        }
        return String.join("\n", lines) + "\n";
    }

    private static void describeFailure(KeyFinding finding, List<String> lines) {
        String key = Describe.quote(finding.key());
        if (finding.verdict().outcome() == KeyVerdict.Outcome.NOT_LINEARIZABLE) {
            KeyVerdict.Deepest deepest = finding.verdict().deepest();
            lines.add("key " + key + ": " + plural(finding.operations(), "operation")
                    + "; the longest linearizable prefix has " + deepest.prefixLength() + " of them"
                    + (deepest.lastSteps().isEmpty() ? "." : ". Its last " + deepest.lastSteps().size()
                            + ", each with the state after it:"));
            for (KeyVerdict.PrefixStep step : deepest.lastSteps()) {
                lines.add("  " + Describe.operation(step.operation()));
                lines.add("      then " + Describe.state(step.after()));
            }
            lines.add("state there: " + Describe.state(deepest.state()));
            Operation blocking = deepest.blocking();
            lines.add("stuck: #" + blocking.id() + " (process " + blocking.process() + ") returned at "
                    + blocking.completeTime() + " but cannot take effect before that; what could go next:");
            listCandidates(ordered(deepest.candidates()), "operations", lines);
        }
        if (!finding.staleViolations().isEmpty()) {
            lines.add("stale reads of key " + key + " that match no put:");
            listCandidates(finding.staleViolations(), "stale reads", lines);
        }
    }

    /** The blocking operation first, then the other definite ones, then those of unknown outcome, each in order. */
    private static List<KeyVerdict.Candidate> ordered(List<KeyVerdict.Candidate> candidates) {
        List<KeyVerdict.Candidate> ordered = new ArrayList<>(candidates.subList(0, Math.min(1, candidates.size())));
        List<KeyVerdict.Candidate> rest = candidates.subList(ordered.size(), candidates.size());
        rest.stream().filter(candidate -> !candidate.operation().isUnknown()).forEach(ordered::add);
        rest.stream().filter(candidate -> candidate.operation().isUnknown()).forEach(ordered::add);
        return ordered;
    }

    private static void listCandidates(List<KeyVerdict.Candidate> candidates, String what, List<String> lines) {
        for (KeyVerdict.Candidate candidate : candidates.subList(0, Math.min(MOST_LISTED, candidates.size()))) {
            lines.add("  " + Describe.operation(candidate.operation()));
            lines.add("      no: " + candidate.reason());
        }
        if (candidates.size() > MOST_LISTED) {
            lines.add("  ... and " + (candidates.size() - MOST_LISTED) + " more " + what);
        }
    }

    private static String keyList(List<KeyFinding> findings) {
        List<String> keys = new ArrayList<>();
        for (KeyFinding finding : findings.subList(0, Math.min(MOST_LISTED, findings.size()))) {
            keys.add(Describe.quote(finding.key()));
        }
        String more = findings.size() > MOST_LISTED ? " and " + (findings.size() - MOST_LISTED) + " more" : "";
        return String.join(", ", keys) + more;
    }

    /** Returns "1 operation" or "3 operations". */
    static String plural(long count, String noun) {
        return count + " " + noun + (count == 1 ? "" : "s");
    }
}
