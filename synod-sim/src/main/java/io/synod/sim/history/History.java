package io.synod.sim.history;

import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Records a history of client operations as they happen, for {@link LinearizabilityChecker}. Tests call
 * {@code invoke...} just before sending a request and then exactly one of {@link Handle#ok}, {@link Handle#fail} or
 * {@link Handle#unknown} on the returned handle when it completes. It is thread-safe, so several client threads may
 * share one; times come from the clock given at construction (simulator time or {@link System#nanoTime}), read under
 * the same lock that orders the events.
 *
 * <p>A process has at most one operation in flight: invoking a second throws IllegalStateException. Operations are
 * numbered from 0 in invocation order. Given a journal {@link Writer}, every event is also written there as one line
 * of the {@link HistoryFile} format and flushed at once, so a test that crashes still leaves its history behind.
 */
public final class History {
    /** The most operations one history records; a bound on its memory. */
    public static final int MOST_OPERATIONS = 50_000_000;

    private final LongSupplier clock;
    private final Writer journal;
    private final Map<Integer, Operation> inFlight = new HashMap<>();
    private final List<Operation> completed = new ArrayList<>();
    private int nextId;

    /** Creates an empty history whose times come from {@code clock}, with no journal. */
    public History(LongSupplier clock) {
        this(clock, null);
    }

    /**
     * Creates an empty history whose times come from {@code clock} and whose events are also written, one JSON line
     * each, to {@code journal} (if not null; the caller closes it). A write that fails throws UncheckedIOException
     * from the call that recorded the event.
     */
    public History(LongSupplier clock, Writer journal) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.journal = journal;
    }

    /** Records that {@code process} sent an unconditional put of {@code value} to {@code key}. */
    public Handle invokePut(int process, String key, String value) {
        return invoke(process, Operation.Kind.PUT, key, value, Condition.none(), Operation.LINEARIZABLE);
    }

    /** Records that {@code process} sent a put of {@code value} to {@code key} with {@code condition}. */
    public Handle invokePut(int process, String key, String value, Condition condition) {
        return invoke(process, Operation.Kind.PUT, key, value, condition, Operation.LINEARIZABLE);
    }

    /** Records that {@code process} sent an unconditional delete of {@code key}. */
    public Handle invokeDelete(int process, String key) {
        return invoke(process, Operation.Kind.DELETE, key, null, Condition.none(), Operation.LINEARIZABLE);
    }

    /** Records that {@code process} sent a delete of {@code key} with {@code condition} (none or ifMatch). */
    public Handle invokeDelete(int process, String key, Condition condition) {
        return invoke(process, Operation.Kind.DELETE, key, null, condition, Operation.LINEARIZABLE);
    }

    /** Records that {@code process} sent a linearizable read of {@code key}. */
    public Handle invokeRead(int process, String key) {
        return invoke(process, Operation.Kind.READ, key, null, Condition.none(), Operation.LINEARIZABLE);
    }

    /** Records that {@code process} sent a read of {@code key} at {@code consistency} (e.g. "quorum", "stale"). */
    public Handle invokeRead(int process, String key, String consistency) {
        return invoke(process, Operation.Kind.READ, key, null, Condition.none(), consistency);
    }

    /**
     * Records that {@code process} sent an operation, at the clock's current time, and returns the handle to complete
     * it with. Throws IllegalArgumentException if the operation is malformed (see {@link Operation}) and
     * IllegalStateException if the process already has one in flight or the history is full.
     */
    public synchronized Handle invoke(int process, Operation.Kind kind, String key, String value, Condition condition,
            String consistency) {
        if (inFlight.containsKey(process)) {
            throw new IllegalStateException("process " + process + " already has operation #"
                    + inFlight.get(process).id() + " in flight");
        }
        if (nextId >= MOST_OPERATIONS) {
            throw new IllegalStateException("a history records at most " + MOST_OPERATIONS + " operations");
        }
        long invokeTime = clock.getAsLong();
        Operation operation = new Operation(nextId, process, kind, key, value, condition, consistency, invokeTime,
                Operation.UNKNOWN_COMPLETION, Answer.unknown());
        nextId++;
        inFlight.put(process, operation);
        if (journal != null) {
            HistoryFile.writeLine(journal, Event.invoke(operation));
        }
        return new Handle(operation);
    }

    /**
     * Returns every operation recorded so far in id order, without those that failed; an operation still in flight
     * has an unknown outcome. The list is a snapshot: later events do not change it.
     */
    public synchronized List<Operation> operations() {
        List<Operation> operations = new ArrayList<>(completed);
        operations.addAll(inFlight.values());
        operations.sort(Comparator.comparingInt(Operation::id));
        return List.copyOf(operations);
    }

    private synchronized void complete(Operation operation, Event.Type type, Answer answer) {
        if (inFlight.get(operation.process()) != operation) {
            throw new IllegalStateException("operation #" + operation.id() + " of process " + operation.process()
                    + " was already completed");
        }
        long time = clock.getAsLong();
        Operation done = switch (type) {
            case OK -> {
                if (answer instanceof Answer.Unknown) {
                    throw new IllegalArgumentException("an unknown outcome is recorded with unknown(), not ok()");
                }
                yield operation.withOutcome(answer, time);
            }
            case INFO, FAIL -> operation;
            case INVOKE -> throw new IllegalArgumentException("an invocation is not a completion");
        };
        inFlight.remove(operation.process());
        if (type != Event.Type.FAIL) {
            completed.add(done);
        }
        if (journal != null) {
            HistoryFile.writeLine(journal, Event.completion(operation, type, type == Event.Type.OK ? answer : null,
                    time));
        }
    }

    /**
     * One operation in flight. Exactly one of its three methods is called, once, when the client learns the outcome;
     * a second call throws IllegalStateException.
     */
    public final class Handle {
        private final Operation operation;

        private Handle(Operation operation) {
            this.operation = operation;
        }

        /** Returns the operation as invoked (its answer is still unknown). */
        public Operation operation() {
            return operation;
        }

        /**
         * Records the store's answer, at the clock's current time. Throws IllegalArgumentException if the answer does
         * not fit the operation (see {@link Answer}) or is {@link Answer.Unknown} (use {@link #unknown()}).
         */
        public void ok(Answer answer) {
            complete(operation, Event.Type.OK, Objects.requireNonNull(answer, "answer"));
        }

        /** Records that the operation definitely did not happen (HTTP 503, 422, 400): it is left out of the check. */
        public void fail() {
            complete(operation, Event.Type.FAIL, null);
        }

        /** Records that the client will never learn the outcome (timeout, 504, connection lost, crash). */
        public void unknown() {
            complete(operation, Event.Type.INFO, null);
        }
    }
}
