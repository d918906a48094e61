package io.synod.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.Node;
import io.synod.sim.bugs.AnswersReadsLocally;
import io.synod.sim.bugs.AppliesOneBehind;
import io.synod.sim.bugs.DivergesOnNodeZero;
import io.synod.sim.bugs.DropsPromises;
import io.synod.sim.bugs.ForgetsIdempotencyOnRestore;
import io.synod.sim.bugs.ForgetsToForce;
import io.synod.sim.bugs.IgnoresFingerprint;
import io.synod.sim.bugs.IgnoresPromisedValues;
import io.synod.sim.bugs.LeaseBugs;
import io.synod.sim.bugs.ReportsSyncAtOnce;
import io.synod.sim.bugs.SkipsDirectorySync;
import io.synod.sim.bugs.VersionIsTheSlot;
import io.synod.storage.RecordCheck;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Checkers are proven, not trusted: each test plants a known bug and shows the simulator catching it within a bounded
 * number of seeds, and by the checker that should. A checker that let one of these through would be worthless.
 */
class PlantedBugTest {
    private static final int SEED_BUDGET = Integer.getInteger("synod.plantedBudget", 300);

    /** Runs seeds from 1 until one fails; returns that failure. Fails the test if none does within the budget. */
    private static Simulation.Result firstFailure(LongFunction<Simulation.Options> options) {
        for (long seed = 1; seed <= SEED_BUDGET; seed++) {
            Simulation.Result result = new Simulation(options.apply(seed)).run();
            if (!result.passed()) {
                System.out.printf("planted bug caught at seed %d by %s: %s%n", seed, result.checker(),
                        result.message().lines().findFirst().orElse(""));
                return result;
            }
        }
        throw new AssertionError("no seed in 1.." + SEED_BUDGET + " caught the planted bug");
    }

    private static Simulation.Result withSeams(Seams seams) {
        return firstFailure(seed -> Simulation.Options.of(seed).withSeams(seams));
    }

    /** Seeds of one election only, the scenario changed by {@code tune} (a storm, more drift). */
    private static Simulation.Result withSeams(Seams seams, String election, UnaryOperator<Scenario> tune) {
        return firstFailure(seed -> Simulation.Options.of(seed).withSeams(seams)
                .withScenario(scenario -> tune.apply(scenario.withElection(election))));
    }

    /** A write-ahead log reader that trusts every record, damaged or not. */
    private static final RecordCheck TRUSTS_EVERY_RECORD = (bytes, position, length, stored) -> true;

    @Test
    void anAcceptorThatForgetsItsPromiseAcrossARestartIsCaughtByAgreement() {
        // Without a master every node runs phase 1, so promises matter most.
        Simulation.Result result = withSeams(Seams.REAL.withStorages((node, real) -> new DropsPromises(real)), "none",
                scenario -> scenario.withChaos(3.0, 1.0));
        assertThat(result.checker()).isEqualTo("agreement");
    }

    @Test
    void aProposerThatIgnoresAcceptedValuesInPromisesIsCaughtByAgreement() {
        Simulation.Result result = withSeams(Seams.REAL.withParts(
                config -> Node.Parts.production(config).withRecovery(new IgnoresPromisedValues())));
        assertThat(result.checker()).isIn("agreement", "invariant");
        assertThat(result.message()).contains("two values");
    }

    @Test
    void aStoreThatAppliesOutOfStepWithTheLogIsCaught() {
        Simulation.Result result = withSeams(Seams.REAL.withStores(AppliesOneBehind::new));
        assertThat(result.checker()).isIn("replica-consistency", "linearizability", "exactly-once");
    }

    @Test
    void aNodeThatSendsBeforeItPersistsIsCaughtByDurability() {
        Simulation.Result result = withSeams(Seams.REAL.withStorages((node, real) -> new ReportsSyncAtOnce(real)));
        assertThat(result.checker()).isEqualTo("durability");
        assertThat(result.message()).contains("no majority has durably accepted");
    }

    @Test
    void aStorageThatAcknowledgesBeforeItsFsyncIsCaughtByDurability() {
        Simulation.Result result = withSeams(Seams.REAL.withDisks((node, real) -> new ForgetsToForce(real)));
        assertThat(result.checker()).isEqualTo("durability");
    }

    @Test
    void aStorageThatSkipsTheDirectorySyncIsCaughtByDurability() {
        Simulation.Result result = withSeams(Seams.REAL.withDisks((node, real) -> new SkipsDirectorySync(real)));
        assertThat(result.checker()).isEqualTo("durability");
    }

    @Test
    void aStorageThatTrustsRecordsWithoutTheirChecksumIsCaught() {
        Simulation.Result result = withSeams(Seams.REAL.withRecordCheck(TRUSTS_EVERY_RECORD));
        assertThat(result.checker()).isIn("agreement", "durability", "replica-consistency", "invariant");
    }

    @Test
    void withChecksumsBitRotOnlyStopsTheDamagedNode() {
        // The same seeds with the checksum checked: bit rot makes a node refuse to start, and nothing else breaks.
        Simulation.Result buggy = withSeams(Seams.REAL.withRecordCheck(TRUSTS_EVERY_RECORD));
        Simulation.Result sound = new Simulation(Simulation.Options.of(buggy.seed())).run();
        assertThat(sound.passed()).as("seed %d without the bug: %s", buggy.seed(), sound.message()).isTrue();
    }


    @Test
    void aNondeterministicStateMachineIsCaughtByReplicaConsistency() {
        Simulation.Result result = withSeams(Seams.REAL.withStores(DivergesOnNodeZero::new));
        assertThat(result.checker()).isEqualTo("replica-consistency");
    }

    /** Bug 1 of issue 8: versions are slots, so two writes in one batch share one and a stale If-Match succeeds. */
    @Test
    void aStoreWhoseVersionIsTheSlotIsCaughtByLinearizability() {
        Simulation.Result result = withSeams(Seams.REAL.withStores((node, real) -> new VersionIsTheSlot()));
        assertThat(result.checker()).isEqualTo("linearizability");
    }

    /** Bug 2 of issue 8: a reused idempotency key is answered with the first request's success. */
    @Test
    void anIdempotencyTableThatIgnoresTheFingerprintIsCaught() {
        Simulation.Result result = withSeams(Seams.REAL.withStores((node, real) -> new IgnoresFingerprint(real)));
        assertThat(result.checker()).isIn("exactly-once", "linearizability");
    }

    @Test
    void aLinearizableReadAnsweredFromTheLocalReplicaIsCaughtByLinearizability() {
        Simulation.Result result = withSeams(Seams.REAL.withReadOrdering(AnswersReadsLocally::new));
        assertThat(result.checker()).isEqualTo("linearizability");
    }

    @Test
    void anIdempotencyTableNotRestoredFromASnapshotIsCaught() {
        Simulation.Result result = withSeams(Seams.REAL.withStores(
                (node, real) -> new ForgetsIdempotencyOnRestore(real)));
        assertThat(result.checker()).isIn("exactly-once", "linearizability", "replica-consistency");
    }

    @Test
    void aMasterThatReadsLocallyWithoutCheckingItsLeaseIsCaughtByLinearizability() {
        Simulation.Result result = withSeams(Seams.REAL.withReadOrdering(LeaseBugs.ReadsWithoutLease::new),
                "paxoslease", scenario -> scenario.withChaos(0.5, 2.0));
        assertThat(result.checker()).isIn("linearizability");
    }

    @Test
    void anAcceptorThatSkipsTheStartupWaitIsCaught() {
        // A storm of restarts: an acceptor that restarted and forgot a live lease grants another to a node that
        // restarted too, while the holder, cut off, still serves.
        Simulation.Result result = withSeams(Seams.REAL.withParts(LeaseBugs.skipsStartupWait()), "paxoslease",
                scenario -> scenario.withChaos(8.0, 2.0));
        assertThat(result.checker()).isIn("lease-safety", "linearizability");
    }

    @Test
    void aHolderThatIgnoresDriftIsCaughtByLeaseSafety() {
        // At the drift bound: clocks drift up to 9%, the lease allows for 25%, so only the margin keeps it safe.
        Simulation.Result result = withSeams(Seams.REAL.withParts(LeaseBugs.ignoresDrift()), "paxoslease",
                scenario -> scenario.withDrift(90_000, 1_000, 250).withChaos(0.2, 4.0));
        assertThat(result.checker()).isIn("lease-safety", "linearizability");
    }

    /** Seed 002's optimistic lock: a BeMaster whose version is not the current one must be a no-op. */
    @Test
    void aBeMasterAppliedWithoutItsVersionCheckIsCaughtByTheLogElectionSpecification() {
        Simulation.Result result = withSeams(Seams.REAL.withParts(LeaseBugs.beMasterWithoutVersionCheck()), "log",
                scenario -> scenario.withChaos(1.0, 1.0));
        assertThat(result.checker()).isEqualTo("log-election");
    }

    @Test
    void aNewMasterThatServesBeforeAnEntryOfItsTermIsChosenIsCaughtByLinearizability() {
        UnaryOperator<Scenario> handovers = scenario -> scenario.withDrift(1_000, 300, 40).withChaos(0.0, 3.0);
        Simulation.Result result = withSeams(Seams.REAL.withParts(LeaseBugs.servesBeforeItsTerm()), "paxoslease",
                handovers);
        assertThat(result.checker()).isIn("linearizability", "lease-safety");
        Simulation.Result sound = new Simulation(Simulation.Options.of(result.seed())
                .withScenario(scenario -> handovers.apply(scenario.withElection("paxoslease")))).run();
        assertThat(sound.passed()).as("seed %d with the real election: %s", result.seed(), sound.message()).isTrue();
    }

    /** The lease checker is proven with the real election too: clocks that drift past the bound break the lease. */
    @Test
    void clocksDriftingPastTheBoundAreCaughtByLeaseSafetyAndWithinItTheSameSeedPasses() {
        Simulation.Result broken = withSeams(Seams.REAL, "paxoslease",
                scenario -> scenario.withDrift(150_000, 1_000, 20).withChaos(0.2, 4.0));
        assertThat(broken.checker()).isIn("lease-safety", "linearizability");
        Simulation.Result sound = new Simulation(Simulation.Options.of(broken.seed()).withScenario(
                scenario -> scenario.withElection("paxoslease").withDrift(150_000, 1_000, 700).withChaos(0.2, 4.0)))
                .run();
        assertThat(sound.passed()).as("seed %d with a margin above the drift and the jumps: %s", broken.seed(), sound.message())
                .isTrue();
    }

    /** The seams themselves change nothing: with the real parts put back, the failing seeds pass. */
    @Test
    void theSameSeedsWithTheRealPartsPass() {
        Simulation.Result buggy = withSeams(Seams.REAL.withStores((node, real) -> new VersionIsTheSlot()));
        Simulation.Result sound = new Simulation(Simulation.Options.of(buggy.seed())).run();
        assertThat(sound.passed()).as("seed %d without the bug: %s", buggy.seed(), sound.message()).isTrue();
    }

    @Test
    void everyFailureNamesItsSeedAndReplaysExactly() {
        Seams ignoresPromisedValues = Seams.REAL.withParts(
                config -> Node.Parts.production(config).withRecovery(new IgnoresPromisedValues()));
        Simulation.Result first = withSeams(ignoresPromisedValues);
        Simulation.Result replay = new Simulation(
                Simulation.Options.of(first.seed()).withSeams(ignoresPromisedValues)).run();
        assertThat(replay.checker()).isEqualTo(first.checker());
        assertThat(replay.message()).isEqualTo(first.message());
        assertThat(replay.traceHash()).isEqualTo(first.traceHash());
        assertThat(first.lastEvents()).isNotEmpty();
    }
}
