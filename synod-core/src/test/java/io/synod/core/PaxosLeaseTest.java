package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.election.Election;
import io.synod.core.message.LeasePrepare;
import io.synod.core.message.Prepare;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PaxosLease through {@link Node}: one master at a time, the startup wait, expiry, release, and the prepare guard. */
class PaxosLeaseTest {
    private static final long LEASE_MS = 1_000;
    private static final long DRIFT_MS = 50;

    private static TestCluster cluster() {
        return new TestCluster(3, b -> b.election("paxoslease").lease(LEASE_MS, DRIFT_MS));
    }

    /** Advances time in small steps, delivering everything in between, until {@code ms} have passed. */
    private static void run(TestCluster cluster, long ms) {
        for (long passed = 0; passed < ms; passed += 10) {
            cluster.advanceTime(10);
            cluster.settle();
        }
    }

    private static List<Integer> mastersReadingLocally(TestCluster cluster) {
        List<Integer> masters = new ArrayList<>();
        for (int id = 0; id < 3; id++) {
            Node node = cluster.node(id);
            if (node != null && node.status().mastership().mayReadLocally(cluster.now)) {
                masters.add(id);
            }
        }
        return masters;
    }

    @Test
    void nobodyTakesPartDuringTheStartupWaitThenExactlyOneMasterServes() {
        TestCluster cluster = cluster();
        run(cluster, LEASE_MS - 20);
        assertThat(cluster.sentOfType(LeasePrepare.class)).as("no lease requests during the startup wait").isEmpty();
        assertThat(mastersReadingLocally(cluster)).isEmpty();

        run(cluster, 300);
        List<Integer> masters = mastersReadingLocally(cluster);
        assertThat(masters).hasSize(1);
        int master = masters.get(0);
        assertThat(cluster.node(master).status().role()).isEqualTo(Role.LEADER);
        for (int id = 0; id < 3; id++) {
            assertThat(cluster.node(id).status().master()).as("node %d's master", id).isEqualTo(master);
        }
        // The master took commands; the others refuse them.
        int other = (master + 1) % 3;
        cluster.propose(other, "elsewhere");
        assertThat(cluster.rejections.get(other)).extracting(Ready.Rejection::reason)
                .containsExactly(Ready.Reason.NOT_MASTER);
        cluster.propose(master, "x = 1");
        cluster.settle();
        assertThat(cluster.appliedPayloads((master + 2) % 3)).containsExactly("x = 1");

        // Renewals keep the same master for many leases.
        run(cluster, 5 * LEASE_MS);
        assertThat(mastersReadingLocally(cluster)).containsExactly(master);
    }

    @Test
    void aCrashedMastersLeaseRunsOutBeforeAnotherTakesOverAndAReleaseHandsOverAtOnce() {
        TestCluster cluster = cluster();
        run(cluster, LEASE_MS + 300);
        int first = mastersReadingLocally(cluster).get(0);
        long crashedAt = cluster.now;
        cluster.crash(first);
        int second = -1;
        for (int i = 0; i < 400 && second < 0; i++) {
            run(cluster, 10);
            List<Integer> masters = mastersReadingLocally(cluster);
            assertThat(masters).hasSizeLessThanOrEqualTo(1);
            if (!masters.isEmpty()) {
                second = masters.get(0);
                assertThat(cluster.now - crashedAt).as("no takeover before the old lease ran out")
                        .isGreaterThanOrEqualTo(LEASE_MS - LEASE_MS / 2);
            }
        }
        assertThat(second).isNotEqualTo(first).isNotNegative();

        // The first comes back; it takes no part until its startup wait is over.
        cluster.start(first);
        run(cluster, LEASE_MS + 100);
        assertThat(mastersReadingLocally(cluster)).containsExactly(second);

        // A clean shutdown releases the lease: another node takes over in round trips, not a lease.
        long releasedAt = cluster.now;
        cluster.step(second, new Input.Release());
        assertThat(cluster.node(second).status().mastership().mayReadLocally(cluster.now)).isFalse();
        cluster.crash(second);
        int third = -1;
        for (int i = 0; i < 100 && third < 0; i++) {
            run(cluster, 10);
            List<Integer> masters = mastersReadingLocally(cluster);
            if (!masters.isEmpty()) {
                third = masters.get(0);
            }
        }
        assertThat(third).isNotNegative();
        assertThat(cluster.now - releasedAt).as("a planned handover takes round trips, not a lease")
                .isLessThan(LEASE_MS / 2);
    }

    @Test
    void whileALeaseIsLiveAcceptorsIgnorePaxosPreparesFromAnyoneButTheHolder() {
        TestCluster cluster = cluster();
        run(cluster, LEASE_MS + 300);
        int master = mastersReadingLocally(cluster).get(0);
        int other = (master + 1) % 3;
        int target = (master + 2) % 3;
        int before = cluster.sentOfType(io.synod.core.message.Promise.class).size();
        Ballot high = new Ballot(1_000, other);
        cluster.step(target, new Input.Receive(new io.synod.core.message.Envelope(other, target,
                new Prepare(high, 0))));
        assertThat(cluster.sentOfType(io.synod.core.message.Promise.class)).hasSize(before);
        assertThat(cluster.node(target).status().promised()).isNotEqualTo(high);
        assertThat(cluster.node(master).status().master()).isEqualTo(master);
        assertThat(Election.NO_MASTER).isNegative();
    }
}
