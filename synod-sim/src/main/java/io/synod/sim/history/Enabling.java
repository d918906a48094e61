package io.synod.sim.history;

import io.synod.sim.history.EntryList.Entry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers, for one configuration of {@link KeySearch}, whether placing an unknown-outcome operation would enable
 * another candidate to go right after it. An operation is enabled by a change from state {@code before} to state
 * {@code after} if the model allows it in {@code after} and either refuses it in {@code before}, or it is a 412 that
 * names the key's current version: such an answer can fix an unknown version without looking at the value, so it may
 * need the change even though {@code before} would also allow it (with another value). See {@link KeySearch} for why
 * no other operation can need an unknown-outcome operation placed just before it.
 *
 * <p>The search asks once per unknown candidate, so this indexes the candidates that could be enabled once: reads by
 * the value they returned (only a write of that value can enable them), everything else in one list whose answer
 * depends only on whether the key exists and its version, never on its value, and is therefore cached per such shape.
 */
final class Enabling {
    private record Shape(boolean exists, long version, boolean versionKnown) {}

    private final Map<String, List<Operation>> refusedReadsByValue = new HashMap<>();
    private final List<Operation> refusedOthers = new ArrayList<>();
    private final Map<Shape, Boolean> othersEnabledByShape = new HashMap<>();

    /**
     * Indexes the candidates that {@code before} refuses: the calls of {@code list} before {@code window} (its first
     * return entry), and the unknown-outcome calls invoked no later than that return.
     */
    Enabling(EntryList list, Entry window, RegisterState before) {
        for (Entry entry = list.first(); entry != window; entry = entry.next) {
            index(entry.operation, before);
        }
        for (Entry entry = list.firstUnknown(); entry != null && entry.time <= window.time; entry = entry.next) {
            index(entry.operation, before);
        }
    }

    /**
     * Returns true if {@code operation} may be placed right after a change from {@code before}: the model refuses it
     * in {@code before}, or it is a 412 that names a current version. The search requires this of the operation it
     * places right after an unknown-outcome one.
     */
    static boolean mayFollowChangeFrom(RegisterState before, Operation operation) {
        return namesCurrentVersion(operation) || RegisterModel.step(before, operation) instanceof Step.Refused;
    }

    private static boolean namesCurrentVersion(Operation operation) {
        return operation.answer() instanceof Answer.PreconditionFailed failed && failed.currentVersion() != null;
    }

    private void index(Operation operation, RegisterState before) {
        if (mayFollowChangeFrom(before, operation)) {
            if (operation.answer() instanceof Answer.ReadValue read) {
                refusedReadsByValue.computeIfAbsent(read.value(), value -> new ArrayList<>()).add(operation);
            } else {
                refusedOthers.add(operation);
            }
        }
    }

    /**
     * Returns true if some indexed candidate is enabled by the change from the indexed state to {@code after}. The
     * operation that leads to {@code after} is an unknown-outcome write, never a 412, and was allowed in the indexed
     * state, so it is not among them.
     */
    boolean enablesAnother(RegisterState after) {
        if (after.exists()) {
            for (Operation read : refusedReadsByValue.getOrDefault(after.value(), List.of())) {
                if (RegisterModel.step(after, read) instanceof Step.Allowed) {
                    return true;
                }
            }
        }
        Shape shape = new Shape(after.exists(), after.version(), after.versionKnown());
        Boolean cached = othersEnabledByShape.get(shape);
        if (cached == null) {
            cached = false;
            for (Operation other : refusedOthers) {
                if (RegisterModel.step(after, other) instanceof Step.Allowed) {
                    cached = true;
                    break;
                }
            }
            othersEnabledByShape.put(shape, cached);
        }
        return cached;
    }
}
