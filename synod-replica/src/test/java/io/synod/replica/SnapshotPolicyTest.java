package io.synod.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** When a snapshot is due: by the log's size against the last snapshot's, not before a minimum, or by a slot bound. */
class SnapshotPolicyTest {
    private final SnapshotPolicy policy = new SnapshotPolicy(1.0, 1_000, 500);

    @Test
    void dueOnceTheLogSinceTheLastSnapshotIsAsLargeAsIt() {
        assertThat(policy.due(10, 9_999, 10_000)).isFalse();
        assertThat(policy.due(10, 10_000, 10_000)).isTrue();
    }

    @Test
    void theRatioScalesTheThreshold() {
        SnapshotPolicy half = new SnapshotPolicy(0.5, 0, 0);
        assertThat(half.due(10, 4_999, 10_000)).isFalse();
        assertThat(half.due(10, 5_000, 10_000)).isTrue();
    }

    @Test
    void aSmallSnapshotWaitsForTheMinimumLog() {
        assertThat(policy.due(10, 999, 10)).isFalse();
        assertThat(policy.due(10, 1_000, 10)).isTrue();
        assertThat(policy.due(10, 999, 0)).isFalse(); // no snapshot yet: the minimum alone
    }

    @Test
    void theSlotBoundCapsALogOfSmallSlots() {
        assertThat(policy.due(499, 10, 1 << 30)).isFalse();
        assertThat(policy.due(500, 10, 1 << 30)).isTrue();
    }

    @Test
    void nothingAppliedSinceTheLastSnapshotIsNeverDue() {
        assertThat(policy.due(0, 1 << 30, 0)).isFalse();
        assertThat(new SnapshotPolicy(1.0, 0, 0).due(0, 0, 0)).isFalse();
    }

    @Test
    void overdueMultipliesEveryThreshold() {
        assertThat(policy.overdue(20, 10, 199_999, 10_000)).isFalse();
        assertThat(policy.overdue(20, 10, 200_000, 10_000)).isTrue();
        assertThat(policy.overdue(20, 9_999, 10, 10_000)).isFalse();
        assertThat(policy.overdue(20, 10_000, 10, 10_000)).isTrue();
    }

    @Test
    void everySlotsIgnoresTheLogsSizeAndNeverTakesNone() {
        SnapshotPolicy every = SnapshotPolicy.everySlots(5);
        assertThat(every.enabled()).isTrue();
        assertThat(every.due(4, Long.MAX_VALUE / 2, 0)).isFalse();
        assertThat(every.due(5, 0, 0)).isTrue();
        assertThat(SnapshotPolicy.NEVER.enabled()).isFalse();
        assertThat(SnapshotPolicy.NEVER.due(1 << 30, 1L << 40, 1)).isFalse();
        assertThat(SnapshotPolicy.everySlots(0)).isEqualTo(SnapshotPolicy.NEVER);
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new SnapshotPolicy(-0.1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnapshotPolicy(Double.NaN, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnapshotPolicy(Double.POSITIVE_INFINITY, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnapshotPolicy(1, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SnapshotPolicy(1, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
