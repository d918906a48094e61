package io.synod.core.paxos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Majority arithmetic, checked against a naive count under random input. */
class QuorumTest {

    @Test
    void agreesWithANaiveCountUnderRandomVotes() {
        SplittableRandom random = new SplittableRandom(42);
        for (int trial = 0; trial < 2_000; trial++) {
            int size = 1 + random.nextInt(9);
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                members.add(100 + 3 * i);
            }
            Quorum quorum = new Quorum(members);
            long votes = 0;
            Set<Integer> voters = new HashSet<>();
            for (int vote = 0; vote < random.nextInt(20); vote++) {
                int voter = random.nextInt(4) == 0 ? 7 : members.get(random.nextInt(size)); // 7 is no member
                votes = quorum.addVote(votes, voter);
                if (members.contains(voter)) {
                    voters.add(voter);
                }
                assertThat(quorum.isMajority(votes)).isEqualTo(voters.size() * 2 > size);
                assertThat(quorum.hasVoted(votes, voter)).isEqualTo(members.contains(voter));
            }
        }
    }

    @Test
    void majorityOfTwoFPlusOneIsFPlusOne() {
        assertThat(new Quorum(List.of(1)).majority()).isEqualTo(1);
        assertThat(new Quorum(List.of(1, 2, 3)).majority()).isEqualTo(2);
        assertThat(new Quorum(List.of(1, 2, 3, 4)).majority()).isEqualTo(3);
        assertThat(new Quorum(List.of(1, 2, 3, 4, 5)).majority()).isEqualTo(3);
    }
}
