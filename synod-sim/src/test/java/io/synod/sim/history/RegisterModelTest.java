package io.synod.sim.history;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The register model on its own: one operation against one state, allowed with the next state or refused with why. */
class RegisterModelTest {
    private static final RegisterState HOLDING = RegisterState.holding("843", 640);
    private static final RegisterState UNKNOWN_VERSION = RegisterState.holdingUnknownVersion("843", 641);

    private static Operation operation(Operation.Kind kind, String value, Condition condition, Answer answer) {
        long completeTime = answer instanceof Answer.Unknown ? Operation.UNKNOWN_COMPLETION : 10;
        return new Operation(0, 1, kind, "k", value, condition, Operation.LINEARIZABLE, 0, completeTime, answer);
    }

    private static RegisterState allowed(RegisterState state, Operation operation) {
        Step step = RegisterModel.step(state, operation);
        assertThat(step).isInstanceOf(Step.Allowed.class);
        return ((Step.Allowed) step).next();
    }

    private static String refused(RegisterState state, Operation operation) {
        Step step = RegisterModel.step(state, operation);
        assertThat(step).isInstanceOf(Step.Refused.class);
        return ((Step.Refused) step).reason().get();
    }

    @Test
    void aPutNeedsAGreaterVersion() {
        // A put's version must exceed the key's, and the reason names both.
        Operation put = operation(Operation.Kind.PUT, "844", Condition.none(), Answer.written(640));
        assertThat(refused(HOLDING, put)).isEqualTo("it answered version 640 but the key held (\"843\", version 640), "
                + "so its version had to be at least 641");
        assertThat(allowed(RegisterState.INITIAL, put)).isEqualTo(RegisterState.holding("844", 640));
    }

    @Test
    void aReadMustMatchTheState() {
        // A read returns exactly the key's value and version.
        Operation read = operation(Operation.Kind.READ, null, Condition.none(), Answer.read("843", 640));
        assertThat(allowed(HOLDING, read)).isEqualTo(HOLDING);
        assertThat(refused(RegisterState.holding("844", 641), read))
                .isEqualTo("the read returned (\"843\", version 640) but the key held (\"844\", version 641)");
    }

    @Test
    void anObservationPinsAnUnknownVersion() {
        // A read of a key whose version is unknown fixes it, if it is at least the least possible version.
        Operation read = operation(Operation.Kind.READ, null, Condition.none(), Answer.read("843", 700));
        assertThat(allowed(UNKNOWN_VERSION, read)).isEqualTo(RegisterState.holding("843", 700));
        Operation tooLow = operation(Operation.Kind.READ, null, Condition.none(), Answer.read("843", 640));
        assertThat(refused(UNKNOWN_VERSION, tooLow)).contains("version unknown but at least 641");
    }

    @Test
    void anUnknownWriteTakesTheNextVersionAtLeast() {
        // An unknown-outcome write leaves its value at a version known only to exceed the one before.
        Operation put = operation(Operation.Kind.PUT, "845", Condition.none(), Answer.unknown());
        assertThat(allowed(HOLDING, put)).isEqualTo(RegisterState.holdingUnknownVersion("845", 641));
        Operation delete = operation(Operation.Kind.DELETE, null, Condition.none(), Answer.unknown());
        assertThat(allowed(UNKNOWN_VERSION, delete)).isEqualTo(RegisterState.absentAfterUnknownVersion(642));
    }

    @Test
    void aCompareAndSetNeedsItsVersion() {
        // ifMatch succeeds only on the version it names, and a 412 only when the version differs.
        Operation cas = operation(Operation.Kind.PUT, "845", Condition.ifMatch(640), Answer.written(641));
        assertThat(allowed(HOLDING, cas)).isEqualTo(RegisterState.holding("845", 641));
        assertThat(refused(RegisterState.holding("844", 641), cas))
                .isEqualTo("the put ifMatch 640 succeeded but the key held (\"844\", version 641)");
        Operation spurious = operation(Operation.Kind.PUT, "845", Condition.ifMatch(640), Answer.preconditionFailed());
        assertThat(refused(HOLDING, spurious)).endsWith("so the condition held");
        Operation named = operation(Operation.Kind.PUT, "845", Condition.ifMatch(640), Answer.preconditionFailed(641));
        assertThat(allowed(RegisterState.holding("844", 641), named)).isEqualTo(RegisterState.holding("844", 641));
    }

    @Test
    void theVersionCeilingIsTheHighestVersionBeforeTheOperation() {
        // A write needs the version below its own; an observation needs the version it observed; others need none.
        assertThat(RegisterModel.versionCeiling(operation(Operation.Kind.PUT, "x", Condition.none(),
                Answer.written(640)))).isEqualTo(639);
        assertThat(RegisterModel.versionCeiling(operation(Operation.Kind.PUT, "x", Condition.ifMatch(600),
                Answer.written(640)))).isEqualTo(600);
        assertThat(RegisterModel.versionCeiling(operation(Operation.Kind.READ, null, Condition.none(),
                Answer.read("x", 640)))).isEqualTo(640);
        assertThat(RegisterModel.versionCeiling(operation(Operation.Kind.READ, null, Condition.none(),
                Answer.absent()))).isEqualTo(Long.MAX_VALUE);
        assertThat(RegisterModel.versionCeiling(operation(Operation.Kind.PUT, "x", Condition.none(),
                Answer.unknown()))).isEqualTo(Long.MAX_VALUE);
    }
}
