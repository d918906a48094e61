package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.election.NoMasterElection;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Duelling proposers with no master: randomized exponential backoff (seed 003, resolution strategy). */
class ContentionTest {

    @Test
    void backoffWindowDoublesUpToTheMaximumAndResetsWhenAProposalIsChosen() {
        NoMasterElection election = new NoMasterElection(new SplittableRandom(1), 10, 80);
        assertThat(election.mayCampaign(0)).isTrue();
        election.onPreempted(0);
        assertThat(election.windowMs()).isEqualTo(20);
        assertThat(election.nextCampaignAtMs(0)).isBetween(1L, 10L);
        election.onPreempted(100);
        election.onPreempted(200);
        election.onPreempted(300);
        assertThat(election.windowMs()).isEqualTo(80);
        long next = election.nextCampaignAtMs(300);
        assertThat(next).isBetween(301L, 380L);
        assertThat(election.mayCampaign(next - 1)).isFalse();
        assertThat(election.mayCampaign(next)).isTrue();
        election.onElected(1_000);
        assertThat(election.windowMs()).as("winning phase 1 alone is no success").isEqualTo(80);
        election.onProgress(1_000);
        assertThat(election.windowMs()).isEqualTo(10);
    }

    @Test
    void twoNodesProposingAtOnceBothGetTheirCommandsChosenOnce() {
        TestCluster cluster = new TestCluster(3);
        for (int round = 0; round < 5; round++) {
            cluster.propose(0, "zero-" + round);
            cluster.propose(1, "one-" + round);
            for (int i = 0; i < 40 && cluster.appliedPayloads(2).size() < 2 * (round + 1); i++) {
                cluster.settle();
                cluster.advanceTime(50);
            }
        }
        cluster.settle();
        assertThat(cluster.appliedPayloads(2)).hasSize(10).doesNotHaveDuplicates();
        assertThat(cluster.appliedPayloads(0)).isEqualTo(cluster.appliedPayloads(2));
        assertThat(cluster.appliedPayloads(1)).isEqualTo(cluster.appliedPayloads(2));
    }
}
