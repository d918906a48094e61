package io.synod.kv;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target for the snapshot reader: arbitrary bytes, handed out in chunks of a fuzzed size, restored into a fresh
 * state machine. A restore either succeeds, and then the state snapshots back to the very same bytes, or throws the
 * {@link IllegalStateException} that {@link io.synod.core.StateMachine#restore} promises; anything else, a hang or
 * an OOM from a fuzzed length is a finding. The kept inputs under {@code SnapshotFuzzTestInputs/} (valid snapshots
 * among them, so mutations start from real ones) are replayed without {@code JAZZER_FUZZ} (docs/fuzzing.md).
 */
class SnapshotFuzzTest {
    private static final KvConfig CONFIG = KvConfig.defaults();

    @FuzzTest(maxDuration = "10m")
    void snapshot(FuzzedDataProvider data) {
        int chunkBytes = data.consumeInt(1, 1 << 17);
        byte[] bytes = data.consumeRemainingAsBytes();
        KvStateMachine machine = new KvStateMachine(CONFIG);
        try {
            machine.restore(Commands.source(bytes, chunkBytes));
        } catch (IllegalStateException refused) {
            assertThat(refused).hasMessageStartingWith("snapshot ");
            return;
        }
        assertThat(Commands.snapshotBytes(machine)).isEqualTo(bytes);
    }
}
