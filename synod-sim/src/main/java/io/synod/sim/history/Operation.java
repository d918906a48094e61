package io.synod.sim.history;

import java.util.Objects;

/**
 * One client operation on one key, with its invocation and completion times and the answer the client saw. It is an
 * immutable value: {@link History} and {@link HistoryFile} build them, tests may build them directly, and
 * {@link LinearizabilityChecker} checks a list of them.
 *
 * <p>The constructor enforces the shape of a well-formed operation and throws IllegalArgumentException naming what is
 * wrong: a put has a value, deletes and reads do not; reads have no condition and deletes cannot be create-only; the
 * answer fits the kind (see {@link Answer}); writes are always {@value #LINEARIZABLE}; the completion is not before the
 * invocation; and the completion time is {@link #UNKNOWN_COMPLETION} exactly when the answer is {@link Answer.Unknown}.
 *
 * @param id a number unique within the history; {@link History} numbers operations in invocation order from 0
 * @param process the client process that issued it; a process has at most one operation in flight
 * @param kind put, delete or read
 * @param key the one key the operation touches
 * @param value the value a put writes; null for deletes and reads
 * @param condition the write's precondition; {@link Condition.None} for reads
 * @param consistency the read's consistency level, e.g. "linearizable", "quorum" or "stale"; only
 *     {@value #STALE} changes how the read is checked; always {@value #LINEARIZABLE} for writes
 * @param invokeTime when the client sent it, on any clock whose order matters (nanoseconds, milliseconds...)
 * @param completeTime when the client received the answer, or {@link #UNKNOWN_COMPLETION} if it never learned it
 * @param answer what the store answered
 */
public record Operation(int id, int process, Kind kind, String key, String value, Condition condition,
        String consistency, long invokeTime, long completeTime, Answer answer) {

    /** The completion time of an operation whose outcome is unknown: it may take effect at any later instant. */
    public static final long UNKNOWN_COMPLETION = Long.MAX_VALUE;

    /** The default consistency level; every write has it. */
    public static final String LINEARIZABLE = "linearizable";

    /** The consistency level of reads that are checked by the weaker stale-read rule instead of linearizability. */
    public static final String STALE = "stale";

    /** The three kinds of operation the store offers. */
    public enum Kind {
        /** Writes a value, optionally only if the key has a version or does not exist. */
        PUT,
        /** Removes the key, optionally only if it has a version. */
        DELETE,
        /** Reads the key's value and version. */
        READ;

        /** Returns the name used for this kind in the history file: "put", "delete" or "read". */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Checks every rule in the type's description and throws IllegalArgumentException on the first broken one. */
    public Operation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(consistency, "consistency");
        Objects.requireNonNull(answer, "answer");
        if (id < 0) {
            throw new IllegalArgumentException("an operation id cannot be negative, got " + id);
        }
        if (kind == Kind.PUT && value == null) {
            throw new IllegalArgumentException("operation " + id + ": a put needs a value");
        }
        if (kind != Kind.PUT && value != null) {
            throw new IllegalArgumentException("operation " + id + ": only a put carries a value, not a "
                    + kind.wireName());
        }
        if (kind == Kind.READ && !(condition instanceof Condition.None)) {
            throw new IllegalArgumentException("operation " + id + ": a read cannot have a condition");
        }
        if (kind == Kind.DELETE && condition instanceof Condition.IfAbsent) {
            throw new IllegalArgumentException("operation " + id + ": a delete cannot be create-only (ifAbsent)");
        }
        if (consistency.isBlank()) {
            throw new IllegalArgumentException("operation " + id + ": the consistency level cannot be blank");
        }
        if (kind != Kind.READ && !consistency.equals(LINEARIZABLE)) {
            throw new IllegalArgumentException("operation " + id + ": a " + kind.wireName()
                    + " is always linearizable, not " + consistency);
        }
        if (!fits(kind, answer)) {
            throw new IllegalArgumentException("operation " + id + ": a " + kind.wireName() + " cannot answer "
                    + answer);
        }
        if (invokeTime == UNKNOWN_COMPLETION) {
            throw new IllegalArgumentException("operation " + id + ": the invocation time cannot be Long.MAX_VALUE");
        }
        if (completeTime < invokeTime) {
            throw new IllegalArgumentException("operation " + id + ": completed at " + completeTime
                    + " before it was invoked at " + invokeTime);
        }
        if ((answer instanceof Answer.Unknown) != (completeTime == UNKNOWN_COMPLETION)) {
            throw new IllegalArgumentException("operation " + id + ": the completion time is Long.MAX_VALUE exactly "
                    + "when the answer is unknown, got " + answer + " at " + completeTime);
        }
    }

    /**
     * Returns this operation with the given outcome. {@link History} calls it when an operation in flight completes;
     * the result is checked like any operation.
     */
    public Operation withOutcome(Answer newAnswer, long newCompleteTime) {
        return new Operation(id, process, kind, key, value, condition, consistency, invokeTime, newCompleteTime,
                newAnswer);
    }

    /** Returns true if the client never learned the outcome (the answer is {@link Answer.Unknown}). */
    public boolean isUnknown() {
        return answer instanceof Answer.Unknown;
    }

    /** Returns true if this is a read at the {@value #STALE} level, checked by the stale-read rule. */
    public boolean isStaleRead() {
        return kind == Kind.READ && consistency.equals(STALE);
    }

    private static boolean fits(Kind kind, Answer answer) {
        return switch (answer) {
            case Answer.Unknown unknown -> true;
            case Answer.Written written -> kind == Kind.PUT;
            case Answer.PreconditionFailed failed -> kind == Kind.PUT || kind == Kind.DELETE;
            case Answer.Deleted deleted -> kind == Kind.DELETE;
            case Answer.ReadValue read -> kind == Kind.READ;
            case Answer.ReadAbsent absent -> kind == Kind.READ;
        };
    }
}
