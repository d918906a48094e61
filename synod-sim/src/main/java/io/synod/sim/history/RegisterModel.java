package io.synod.sim.history;

/**
 * The sequential specification of one key of the store: a versioned register. {@link KeySearch} calls
 * {@link #step} for every candidate linearization of an operation; the rules are those listed on
 * {@link LinearizabilityChecker}.
 *
 * <p>Versions are revisions of the whole store, so on one key every change (write or delete, including a delete that
 * found nothing) has a version strictly greater than the change before it. After a change whose outcome is unknown took
 * effect its version is unknown but at least one more than the one before; the first later observation of a version
 * (a read, a 412 that names it, a successful ifMatch) pins it.
 *
 * <p>One leniency: a 412 for {@code ifMatch v} that names no version, on a key whose version is still unknown, is
 * accepted without recording that the version differs from {@code v}. That can only hide a violation, never invent
 * one.
 */
final class RegisterModel {
    private RegisterModel() {}

    /**
     * Returns whether {@code operation} can take effect when the key is in {@code state}, and the state after it. An
     * operation with an unknown outcome that takes effect does what it asked for, so it is allowed only where its
     * condition holds. The caller never passes a stale read; an unknown read is allowed anywhere and changes nothing.
     */
    static Step step(RegisterState state, Operation operation) {
        return switch (operation.kind()) {
            case PUT -> put(state, operation);
            case DELETE -> delete(state, operation);
            case READ -> read(state, operation);
        };
    }

    /**
     * Returns the highest version the key may have just before {@code operation} takes effect, or
     * {@link Long#MAX_VALUE} if it has no such bound. A write or delete answered version V needs the version below V
     * (and at most v with ifMatch v); a read of a value at version c, or a 412 naming current version c, needs exactly
     * c. Operations of unknown outcome have none, since they never have to take effect. {@link KeySearch} uses it to
     * see dead ends early.
     */
    static long versionCeiling(Operation operation) {
        long ceiling = switch (operation.answer()) {
            case Answer.Written written -> written.version() - 1;
            case Answer.Deleted deleted -> deleted.version() - 1;
            case Answer.ReadValue read -> read.version();
            case Answer.PreconditionFailed failed ->
                    failed.currentVersion() == null ? Long.MAX_VALUE : failed.currentVersion();
            case Answer.ReadAbsent absent -> Long.MAX_VALUE;
            case Answer.Unknown unknown -> Long.MAX_VALUE;
        };
        boolean succeeded = operation.answer() instanceof Answer.Written
                || operation.answer() instanceof Answer.Deleted;
        if (succeeded && operation.condition() instanceof Condition.IfMatch match) {
            ceiling = Math.min(ceiling, match.version());
        }
        return ceiling;
    }

    private static Step put(RegisterState state, Operation operation) {
        return switch (operation.answer()) {
            case Answer.Written written -> {
                RegisterState before = conditionHolds(state, operation.condition());
                if (before == null) {
                    yield refusedCondition(state, operation, true);
                }
                if (written.version() < before.leastNextVersion()) {
                    yield refusedVersion(state, before, written.version());
                }
                yield allowed(RegisterState.holding(operation.value(), written.version()));
            }
            case Answer.Unknown unknown -> {
                RegisterState before = conditionHolds(state, operation.condition());
                if (before == null) {
                    yield refusedCondition(state, operation, false);
                }
                yield allowed(RegisterState.holdingUnknownVersion(operation.value(), before.leastNextVersion()));
            }
            case Answer.PreconditionFailed failed -> preconditionFailed(state, operation, failed);
            default -> throw new IllegalStateException("a put cannot answer " + operation.answer());
        };
    }

    private static Step delete(RegisterState state, Operation operation) {
        return switch (operation.answer()) {
            case Answer.Deleted deleted -> {
                RegisterState before = conditionHolds(state, operation.condition());
                if (before == null) {
                    yield refusedCondition(state, operation, true);
                }
                if (deleted.deleted() != before.exists()) {
                    yield new Step.Refused(() -> "the delete answered deleted=" + deleted.deleted() + " but the key "
                            + Describe.heldOrAbsent(state));
                }
                if (deleted.version() < before.leastNextVersion()) {
                    yield refusedVersion(state, before, deleted.version());
                }
                yield allowed(RegisterState.absentAfter(deleted.version()));
            }
            case Answer.Unknown unknown -> {
                RegisterState before = conditionHolds(state, operation.condition());
                if (before == null) {
                    yield refusedCondition(state, operation, false);
                }
                yield allowed(RegisterState.absentAfterUnknownVersion(before.leastNextVersion()));
            }
            case Answer.PreconditionFailed failed -> preconditionFailed(state, operation, failed);
            default -> throw new IllegalStateException("a delete cannot answer " + operation.answer());
        };
    }

    private static Step read(RegisterState state, Operation operation) {
        return switch (operation.answer()) {
            case Answer.ReadValue read -> {
                if (state.exists() && state.value().equals(read.value()) && state.canHaveVersion(read.version())) {
                    yield allowed(state.pinned(read.version()));
                }
                yield new Step.Refused(() -> "the read returned " + Describe.value(read.value(), read.version())
                        + " but the key " + Describe.heldOrAbsent(state));
            }
            case Answer.ReadAbsent absent -> state.exists()
                    ? new Step.Refused(() -> "the read returned absent but the key " + Describe.heldOrAbsent(state))
                    : allowed(state);
            case Answer.Unknown unknown -> allowed(state);
            default -> throw new IllegalStateException("a read cannot answer " + operation.answer());
        };
    }

    /** Returns the state with the condition's version pinned if the condition can hold in it, else null. */
    private static RegisterState conditionHolds(RegisterState state, Condition condition) {
        return switch (condition) {
            case Condition.None none -> state;
            case Condition.IfMatch match ->
                    state.exists() && state.canHaveVersion(match.version()) ? state.pinned(match.version()) : null;
            case Condition.IfAbsent absent -> state.exists() ? null : state;
        };
    }

    private static Step preconditionFailed(RegisterState state, Operation operation, Answer.PreconditionFailed failed) {
        return switch (operation.condition()) {
            case Condition.None none -> new Step.Refused(() -> "an unconditional " + operation.kind().wireName()
                    + " cannot fail a precondition");
            case Condition.IfMatch match -> ifMatchFailed(state, match.version(), failed);
            case Condition.IfAbsent absent -> ifAbsentFailed(state, failed);
        };
    }

    private static Step ifMatchFailed(RegisterState state, long expected, Answer.PreconditionFailed failed) {
        Long current = failed.currentVersion();
        if (current != null) {
            if (current == expected) {
                return new Step.Refused(() -> "the 412 named current version " + current
                        + ", the very version ifMatch asked for");
            }
            return namedCurrentVersion(state, current);
        }
        if (Boolean.FALSE.equals(failed.exists())) {
            return state.exists()
                    ? new Step.Refused(() -> "the 412 said the key did not exist but it "
                            + Describe.heldOrAbsent(state))
                    : allowed(state);
        }
        boolean versionDiffers = state.exists() && state.canDifferFrom(expected);
        if (Boolean.TRUE.equals(failed.exists())) {
            return versionDiffers ? allowed(state) : new Step.Refused(() -> "the 412 said the key existed at a version "
                    + "other than " + expected + " but the key " + Describe.heldOrAbsent(state));
        }
        return !state.exists() || versionDiffers ? allowed(state) : new Step.Refused(() -> "the 412 for ifMatch "
                + expected + " came while the key " + Describe.heldOrAbsent(state) + ", so the condition held");
    }

    private static Step ifAbsentFailed(RegisterState state, Answer.PreconditionFailed failed) {
        if (Boolean.FALSE.equals(failed.exists())) {
            return new Step.Refused(() -> "a 412 for a create-only put that says the key did not exist contradicts "
                    + "itself");
        }
        if (failed.currentVersion() != null) {
            return namedCurrentVersion(state, failed.currentVersion());
        }
        return state.exists() ? allowed(state) : new Step.Refused(() -> "the 412 for a create-only put came while the "
                + "key " + Describe.heldOrAbsent(state) + ", so the condition held");
    }

    private static Step namedCurrentVersion(RegisterState state, long current) {
        if (state.exists() && state.canHaveVersion(current)) {
            return allowed(state.pinned(current));
        }
        return new Step.Refused(() -> "the 412 named current version " + current + " but the key "
                + Describe.heldOrAbsent(state));
    }

    private static Step refusedCondition(RegisterState state, Operation operation, boolean succeeded) {
        return new Step.Refused(() -> {
            String condition = switch (operation.condition()) {
                case Condition.IfMatch match -> "ifMatch " + match.version();
                case Condition.IfAbsent absent -> "ifAbsent";
                case Condition.None none -> throw new IllegalStateException("no condition cannot fail");
            };
            String outcome = succeeded ? " succeeded"
                    : " (unknown outcome) could take effect only where its condition held,";
            return "the " + operation.kind().wireName() + " " + condition + outcome + " but the key "
                    + Describe.heldOrAbsent(state);
        });
    }

    private static Step refusedVersion(RegisterState state, RegisterState before, long answered) {
        return new Step.Refused(() -> "it answered version " + answered + " but the key " + Describe.heldOrAbsent(state)
                + ", so its version had to be at least " + before.leastNextVersion());
    }

    private static Step allowed(RegisterState next) {
        return new Step.Allowed(next);
    }
}
