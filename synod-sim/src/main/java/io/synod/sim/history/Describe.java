package io.synod.sim.history;

/**
 * Formats operations, answers and model states for failure reports, in one fixed style, for example
 * {@code #12 process 3 [1200, 1450] put("x", ifMatch 17) -> version 18} and {@code ("x", version 18)}. The model's
 * refusal reasons and {@link FailureReport} call it; the output is deterministic.
 */
final class Describe {
    /** Values longer than this are cut in reports, so one huge value cannot flood the report. */
    private static final int MOST_VALUE_CHARACTERS = 40;

    private Describe() {}

    /** Returns the operation on one line: id, process, [invoke, complete] times, the call and the answer. */
    static String operation(Operation operation) {
        String completion = operation.isUnknown() ? "unknown" : Long.toString(operation.completeTime());
        return "#" + operation.id() + " process " + operation.process() + " [" + operation.invokeTime() + ", "
                + completion + "] " + call(operation) + " -> " + answer(operation.answer());
    }

    /** Returns what the client asked, e.g. {@code put("x", ifAbsent)}, {@code delete(ifMatch 3)}, {@code read()}. */
    static String call(Operation operation) {
        String condition = switch (operation.condition()) {
            case Condition.None none -> "";
            case Condition.IfMatch match -> "ifMatch " + match.version();
            case Condition.IfAbsent absent -> "ifAbsent";
        };
        return switch (operation.kind()) {
            case PUT -> "put(" + quote(operation.value()) + (condition.isEmpty() ? "" : ", " + condition) + ")";
            case DELETE -> "delete(" + condition + ")";
            case READ -> "read(" + (operation.consistency().equals(Operation.LINEARIZABLE) ? ""
                    : operation.consistency()) + ")";
        };
    }

    /** Returns the answer as the client saw it, e.g. {@code version 18} or {@code 412 (current version 18)}. */
    static String answer(Answer answer) {
        return switch (answer) {
            case Answer.Written written -> "version " + written.version();
            case Answer.Deleted deleted -> "version " + deleted.version() + (deleted.deleted() ? ", deleted"
                    : ", nothing to delete");
            case Answer.ReadValue read -> value(read.value(), read.version());
            case Answer.ReadAbsent absent -> "absent";
            case Answer.PreconditionFailed failed -> failed.currentVersion() != null
                    ? "412 (current version " + failed.currentVersion() + ")"
                    : failed.exists() == null ? "412" : failed.exists() ? "412 (key exists)" : "412 (key absent)";
            case Answer.Unknown unknown -> "unknown outcome";
        };
    }

    /** Returns a value at a version, e.g. {@code ("x", version 18)}. */
    static String value(String value, long version) {
        return "(" + quote(value) + ", version " + version + ")";
    }

    /** Returns the state as a value at a version, or absent with the last change's version. */
    static String state(RegisterState state) {
        String version = state.versionKnown() ? "version " + state.version()
                : "version unknown but at least " + state.version();
        if (state.exists()) {
            return "(" + quote(state.value()) + ", " + version + ")";
        }
        if (state.versionKnown() && state.version() == 0) {
            return "absent (never written)";
        }
        return "absent (last " + version + ")";
    }

    /** Returns "held STATE" or "was absent (...)", to follow "the key" in a sentence. */
    static String heldOrAbsent(RegisterState state) {
        return (state.exists() ? "held " : "was ") + state(state);
    }

    /** Returns the value in double quotes with quotes, backslashes and control characters escaped, cut if long. */
    static String quote(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        int shown = Math.min(value.length(), MOST_VALUE_CHARACTERS);
        for (int index = 0; index < shown; index++) {
            char character = value.charAt(index);
            switch (character) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (character < ' ') {
                        quoted.append(String.format("\\u%04x", (int) character));
                    } else {
                        quoted.append(character);
                    }
                }
            }
        }
        quoted.append('"');
        if (value.length() > shown) {
            quoted.append("...(").append(value.length()).append(" characters)");
        }
        return quoted.toString();
    }
}
