package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.paxos.Learner;
import io.synod.core.paxos.Outbox;
import io.synod.core.paxos.Quorum;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The learner's rules: apply strictly in slot order, never learn two values for one slot. */
class LearnerTest {
    private final Outbox outbox = new Outbox(0, new Quorum(List.of(0, 1, 2)));
    private final Learner learner = new Learner(outbox, 0, Map.of());

    private static Value value(String payload) {
        return Value.of(new Command(0, payload.hashCode(), payload.getBytes()));
    }

    @Test
    void valuesLearnedOutOfOrderAreAppliedInSlotOrder() {
        learner.learn(2, value("c"));
        learner.learn(1, value("b"));
        assertThat(learner.committed()).isZero();
        assertThat(learner.toApply()).isEmpty();

        learner.learn(0, value("a"));
        assertThat(learner.committed()).isEqualTo(3);
        List<LogEntry> entries = learner.toApply();
        assertThat(entries).extracting(LogEntry::slot).containsExactly(0L, 1L, 2L);
        learner.markHandedOut(entries);
        assertThat(learner.handedOut()).isEqualTo(3);
    }

    @Test
    void learningTheSameValueTwiceIsHarmless() {
        assertThat(learner.learn(0, value("a"))).isTrue();
        assertThat(learner.learn(0, value("a"))).isFalse();
        assertThat(outbox.records()).containsExactly(new Durable.Chosen(0, value("a")));
    }

    @Test
    void learningTwoValuesForOneSlotBreaksAnInvariant() {
        learner.learn(0, value("a"));
        assertThatThrownBy(() -> learner.learn(0, value("b")))
                .isInstanceOf(InvariantViolation.class)
                .hasMessageContaining("two values for slot 0");
    }

    @Test
    void applyingOutOfOrderBreaksAnInvariant() {
        learner.learn(0, value("a"));
        learner.learn(1, value("b"));
        assertThatThrownBy(() -> learner.markHandedOut(List.of(new LogEntry(1, value("b")))))
                .isInstanceOf(InvariantViolation.class);
    }

    @Test
    void catchUpRangesAreConsecutiveAndBounded() {
        for (int slot = 0; slot < 10; slot++) {
            learner.learn(slot, value("v" + slot));
        }
        assertThat(learner.range(3, 4, 1 << 20)).extracting(LogEntry::slot).containsExactly(3L, 4L, 5L, 6L);
        assertThat(learner.range(8, 100, 1 << 20)).extracting(LogEntry::slot).containsExactly(8L, 9L);
        assertThat(learner.range(0, 100, 1)).as("at least one entry even over the byte bound").hasSize(1);
    }

    @Test
    void compactionForgetsValuesButNotThatTheyWereChosen() {
        for (int slot = 0; slot < 5; slot++) {
            learner.learn(slot, value("v" + slot));
        }
        learner.markHandedOut(learner.toApply());
        learner.compactBelow(3);
        assertThat(learner.firstRetained()).isEqualTo(3);
        assertThat(learner.chosenValue(1)).isNull();
        assertThat(learner.isChosen(1)).isTrue();
        assertThat(learner.range(0, 10, 1 << 20)).extracting(LogEntry::slot).containsExactly(3L, 4L);
    }
}
