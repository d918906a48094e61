package io.synod.sim.history;

import java.util.ArrayList;
import java.util.List;

/** Builds hand-made histories for the tests: each method adds one operation with the next id and returns this. */
final class Ops {
    private final List<Operation> operations = new ArrayList<>();

    /** Adds any operation; the helpers below cover the usual shapes. */
    Ops add(int process, Operation.Kind kind, String key, String value, Condition condition, String consistency,
            long invokeTime, long completeTime, Answer answer) {
        operations.add(new Operation(operations.size(), process, kind, key, value, condition, consistency, invokeTime,
                completeTime, answer));
        return this;
    }

    Ops put(int process, String key, String value, long invokeTime, long completeTime, long version) {
        return add(process, Operation.Kind.PUT, key, value, Condition.none(), Operation.LINEARIZABLE, invokeTime,
                completeTime, Answer.written(version));
    }

    Ops putUnknown(int process, String key, String value, long invokeTime) {
        return add(process, Operation.Kind.PUT, key, value, Condition.none(), Operation.LINEARIZABLE, invokeTime,
                Operation.UNKNOWN_COMPLETION, Answer.unknown());
    }

    Ops putIfMatch(int process, String key, String value, long ifMatch, long invokeTime, long completeTime,
            Answer answer) {
        return add(process, Operation.Kind.PUT, key, value, Condition.ifMatch(ifMatch), Operation.LINEARIZABLE,
                invokeTime, completeTime, answer);
    }

    Ops putIfMatchUnknown(int process, String key, String value, long ifMatch, long invokeTime) {
        return putIfMatch(process, key, value, ifMatch, invokeTime, Operation.UNKNOWN_COMPLETION, Answer.unknown());
    }

    Ops putIfAbsent(int process, String key, String value, long invokeTime, long completeTime, Answer answer) {
        return add(process, Operation.Kind.PUT, key, value, Condition.ifAbsent(), Operation.LINEARIZABLE, invokeTime,
                completeTime, answer);
    }

    Ops delete(int process, String key, long invokeTime, long completeTime, long version, boolean deleted) {
        return add(process, Operation.Kind.DELETE, key, null, Condition.none(), Operation.LINEARIZABLE, invokeTime,
                completeTime, Answer.deleted(version, deleted));
    }

    Ops deleteIfMatch(int process, String key, long ifMatch, long invokeTime, long completeTime, Answer answer) {
        return add(process, Operation.Kind.DELETE, key, null, Condition.ifMatch(ifMatch), Operation.LINEARIZABLE,
                invokeTime, completeTime, answer);
    }

    Ops deleteUnknown(int process, String key, long invokeTime) {
        return add(process, Operation.Kind.DELETE, key, null, Condition.none(), Operation.LINEARIZABLE, invokeTime,
                Operation.UNKNOWN_COMPLETION, Answer.unknown());
    }

    Ops read(int process, String key, long invokeTime, long completeTime, String value, long version) {
        return add(process, Operation.Kind.READ, key, null, Condition.none(), Operation.LINEARIZABLE, invokeTime,
                completeTime, Answer.read(value, version));
    }

    Ops readAbsent(int process, String key, long invokeTime, long completeTime) {
        return add(process, Operation.Kind.READ, key, null, Condition.none(), Operation.LINEARIZABLE, invokeTime,
                completeTime, Answer.absent());
    }

    Ops staleRead(int process, String key, long invokeTime, long completeTime, Answer answer) {
        return add(process, Operation.Kind.READ, key, null, Condition.none(), Operation.STALE, invokeTime,
                completeTime, answer);
    }

    List<Operation> list() {
        return List.copyOf(operations);
    }

    /** Checks the history with the default bound. */
    LinearizabilityChecker.Result check() {
        return new LinearizabilityChecker().check(list());
    }
}
