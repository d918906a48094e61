package io.synod.sim.history;

import java.util.Locale;
import java.util.Objects;

/**
 * One line of the history format: an invocation or a completion of one process's operation. {@link History} writes
 * them as they happen, {@link HistoryFile} writes and reads them, and {@link EventCodec} turns them into JSON and back.
 *
 * @param process the client process
 * @param type invoke, ok, fail or info
 * @param kind the operation's kind ({@code f} in the file)
 * @param key the operation's key
 * @param value a put invocation's value, else null
 * @param condition an invocation's condition; {@link Condition.None} for completions
 * @param consistency a read invocation's consistency level, else null
 * @param answer an ok completion's answer, else null
 * @param time when it happened
 */
record Event(int process, Type type, Operation.Kind kind, String key, String value, Condition condition,
        String consistency, Answer answer, long time) {

    /** What an event says about its operation. */
    enum Type {
        /** The client sent the operation. */
        INVOKE,
        /** The client received an answer. */
        OK,
        /** The operation definitely did not happen (HTTP 503, 422, 400); it is dropped from the check. */
        FAIL,
        /** The client will never learn the outcome (timeout, 504, crash). */
        INFO;

        /** Returns the name in the file: "invoke", "ok", "fail" or "info". */
        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Checks that the required parts are present and an answer comes exactly with an ok; throws otherwise. */
    Event {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(condition, "condition");
        if ((type == Type.OK) != (answer != null)) {
            throw new IllegalArgumentException("an event carries an answer exactly when it is an ok");
        }
    }

    /** Returns the invocation of {@code operation}, at its invocation time. */
    static Event invoke(Operation operation) {
        String consistency = operation.kind() == Operation.Kind.READ ? operation.consistency() : null;
        return new Event(operation.process(), Type.INVOKE, operation.kind(), operation.key(), operation.value(),
                operation.condition(), consistency, null, operation.invokeTime());
    }

    /** Returns the completion of {@code operation} of the given type (ok with its answer, fail or info) at a time. */
    static Event completion(Operation operation, Type type, Answer answer, long time) {
        if (type == Type.INVOKE) {
            throw new IllegalArgumentException("a completion cannot be an invoke");
        }
        return new Event(operation.process(), type, operation.kind(), operation.key(), null, Condition.none(), null,
                answer, time);
    }
}
