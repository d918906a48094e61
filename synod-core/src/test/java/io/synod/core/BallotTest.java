package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Ballots are totally ordered by round, then node id; no two nodes own the same ballot. */
class BallotTest {

    @Test
    void orderIsByRoundThenNodeId() {
        assertThat(new Ballot(2, 0)).isGreaterThan(new Ballot(1, 9));
        assertThat(new Ballot(2, 1)).isGreaterThan(new Ballot(2, 0));
        assertThat(Ballot.ZERO).isLessThan(new Ballot(1, 0));
    }

    @Test
    void nextIsAboveAndOwnedByTheGivenNode() {
        Ballot next = new Ballot(7, 4).next(1);
        assertThat(next).isEqualTo(new Ballot(8, 1));
        assertThat(next.greaterThan(new Ballot(7, 4))).isTrue();
    }

    @Test
    void roundZeroIsReservedForZero() {
        assertThatThrownBy(() -> new Ballot(0, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
