package io.synod.sim.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Hand-made histories, linearizable and not, for each rule of the versioned-register model. */
class LinearizabilityCheckerTest {

    private static void assertLinearizable(Ops ops) {
        LinearizabilityChecker.Result result = ops.check();
        assertThat(result.linearizable()).as(result.report()).isTrue();
        assertThat(result.inconclusive()).isFalse();
        assertThat(result.report()).isEmpty();
    }

    private static String assertNotLinearizable(Ops ops) {
        LinearizabilityChecker.Result result = ops.check();
        assertThat(result.linearizable()).as("expected a violation").isFalse();
        assertThat(result.inconclusive()).isFalse();
        assertThat(result.report()).startsWith("not linearizable");
        return result.report();
    }

    @Nested
    class Basics {
        @Test
        void sequentialPutsAndReadsAreLinearizable() {
            // A single client writing and reading back in turn is linearizable, and the summary counts it.
            Ops ops = new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .read(1, "k", 20, 30, "a", 1)
                    .put(1, "k", "b", 40, 50, 2)
                    .read(1, "k", 60, 70, "b", 2);
            assertLinearizable(ops);
            assertThat(ops.check().summary()).matches(
                    "linearizable: 4 operations on 1 key \\(\\d+ configurations? explored, \\d+ ms\\)");
        }

        @Test
        void anEmptyHistoryIsLinearizable() {
            // Nothing happened, so nothing is wrong.
            assertLinearizable(new Ops());
        }

        @Test
        void aReadOverlappingTwoWritesMaySeeTheFirst() {
            // With two concurrent writes, a concurrent read may see the one that took effect first.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 100, 1)
                    .put(2, "k", "b", 0, 100, 2)
                    .read(3, "k", 10, 90, "a", 1));
        }

        @Test
        void aReadOverlappingTwoWritesMaySeeTheSecond() {
            // ... or the one that took effect second.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 100, 1)
                    .put(2, "k", "b", 0, 100, 2)
                    .read(3, "k", 10, 90, "b", 2)
                    .read(3, "k", 110, 120, "b", 2));
        }

        @Test
        void aReadThatSeesAValueBeforeItsWriteWasInvokedIsNotLinearizable() {
            // A read cannot return a value whose write was sent only after the read completed.
            assertNotLinearizable(new Ops()
                    .read(1, "k", 0, 10, "a", 1)
                    .put(2, "k", "a", 20, 30, 1));
        }

        @Test
        void aReadOfAnOverwrittenValueAfterTheOverwriteCompletedIsNotLinearizable() {
            // Once an overwrite completed, a later read cannot return the old value: that would be a stale read.
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .put(1, "k", "b", 20, 30, 2)
                    .read(2, "k", 40, 50, "a", 1));
        }

        @Test
        void callsAndReturnsAtTheSameTimeOverlap() {
            // An operation invoked at the instant another returns counts as concurrent with it (the lenient choice).
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .readAbsent(2, "k", 10, 20));
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .readAbsent(2, "k", 11, 20));
        }

        @Test
        void twoOperationsWithTheSameIdAreRejected() {
            // Ids name operations in reports, so they must be unique.
            Operation one = new Ops().put(1, "k", "a", 0, 10, 1).list().getFirst();
            assertThatThrownBy(() -> new LinearizabilityChecker().check(java.util.List.of(one, one)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id 0");
        }
    }

    @Nested
    class TheSharedVersionBug {
        @Test
        void twoWritesSharingOneVersionAndACasOnItAreNotLinearizable() {
            // The bug this checker exists for: two puts batched in one slot both answered version 640, a client read
            // 843 at 640 and its put ifMatch 640 then succeeded, though 844 had overwritten 843 at the same version.
            String report = assertNotLinearizable(new Ops()
                    .put(1, "k", "843", 100, 200, 640)
                    .put(2, "k", "844", 110, 200, 640)
                    .read(3, "k", 250, 300, "843", 640)
                    .putIfMatch(3, "k", "845", 640, 310, 400, Answer.written(641)));
            assertThat(report).contains("key \"k\"").contains("version 640").contains("stuck:");
            assertThat(report.lines().count()).isLessThan(40);
        }

        @Test
        void theSameHistoryWithDistinctVersionsAndA412IsLinearizable() {
            // With the versions 640 and 641 a correct store gives, the read of 843 precedes 844's write and the
            // ifMatch 640 that follows correctly fails with 412 naming 641.
            assertLinearizable(new Ops()
                    .put(1, "k", "843", 100, 200, 640)
                    .put(2, "k", "844", 110, 320, 641)
                    .read(3, "k", 150, 300, "843", 640)
                    .putIfMatch(3, "k", "845", 640, 310, 400, Answer.preconditionFailed(641)));
        }
    }

    @Nested
    class Versions {
        @Test
        void aPutWhoseVersionIsNotGreaterIsRejected() {
            // Versions of successive writes to one key strictly increase.
            String report = assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 5)
                    .put(1, "k", "b", 20, 30, 5));
            assertThat(report).contains("then #1 process 1 [20, 30] put(\"b\") -> version 5 could never take effect "
                    + "(it needs the version at most 4)");
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 5)
                    .put(1, "k", "b", 20, 30, 3));
        }

        @Test
        void concurrentWritesAreOrderedByTheirVersions() {
            // Of two concurrent writes the one with the higher version took effect last, so a later read sees it.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 100, 7)
                    .put(2, "k", "b", 0, 100, 3)
                    .read(3, "k", 200, 210, "a", 7));
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 100, 7)
                    .put(2, "k", "b", 0, 100, 3)
                    .read(3, "k", 200, 210, "b", 3));
        }

        @Test
        void versionsAreRevisionsOfTheWholeStoreSoOtherKeysMayShareThem() {
            // Keys are checked separately, so the same version on two keys is not a conflict for this checker.
            assertLinearizable(new Ops()
                    .put(1, "a", "x", 0, 10, 5)
                    .put(2, "b", "y", 0, 10, 5));
        }
    }

    @Nested
    class Deletes {
        @Test
        void theDeletedFlagMustMatchWhetherTheKeyExisted() {
            // A delete answers deleted=true exactly when it removed an existing key.
            assertLinearizable(new Ops()
                    .delete(1, "k", 0, 10, 1, false)
                    .put(1, "k", "a", 20, 30, 2)
                    .delete(1, "k", 40, 50, 3, true));
            String report = assertNotLinearizable(new Ops().delete(1, "k", 0, 10, 1, true));
            assertThat(report).contains("deleted=true").contains("absent (never written)");
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .delete(1, "k", 20, 30, 2, false));
        }

        @Test
        void aCreateAfterADeleteGetsAHigherVersionThanTheDelete() {
            // A delete then re-create never reuses a version: the create's version exceeds the delete's.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .delete(1, "k", 20, 30, 2, true)
                    .putIfAbsent(1, "k", "b", 40, 50, Answer.written(3))
                    .read(1, "k", 60, 70, "b", 3));
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .delete(1, "k", 20, 30, 2, true)
                    .putIfAbsent(1, "k", "b", 40, 50, Answer.written(2)));
        }

        @Test
        void aReadAfterADeleteFindsTheKeyAbsent() {
            // After a delete completed, a read finds nothing; returning the old value is not linearizable.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .delete(1, "k", 20, 30, 2, true)
                    .readAbsent(2, "k", 40, 50));
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .delete(1, "k", 20, 30, 2, true)
                    .read(2, "k", 40, 50, "a", 1));
        }

        @Test
        void aDeleteIfMatchNeedsTheVersion() {
            // A conditional delete succeeds only on the version it names, and 412s otherwise.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .deleteIfMatch(1, "k", 9, 20, 30, Answer.preconditionFailed(1))
                    .deleteIfMatch(1, "k", 1, 40, 50, Answer.deleted(2, true)));
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .deleteIfMatch(1, "k", 9, 20, 30, Answer.deleted(2, true)));
        }
    }

    @Nested
    class PreconditionFailures {
        @Test
        void a412NamingAVersionTheKeyNeverHadIsNotLinearizable() {
            // A 412 that names the current version is an observation: the key must have held that version.
            String report = assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 17)
                    .putIfMatch(2, "k", "b", 3, 20, 30, Answer.preconditionFailed(18)));
            assertThat(report).contains("the 412 named current version 18 but the key held (\"a\", version 17)");
        }

        @Test
        void a412NamingTheRightVersionIsLinearizable() {
            // A 412 that names the version the key really held is fine.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 17)
                    .putIfMatch(2, "k", "b", 3, 20, 30, Answer.preconditionFailed(17))
                    .putIfMatch(2, "k", "b", 5, 40, 50, Answer.preconditionFailed())
                    .putIfMatch(2, "k", "c", 5, 60, 70, new Answer.PreconditionFailed(null, true)));
        }

        @Test
        void aSpurious412WhenTheConditionHeldIsNotLinearizable() {
            // With no concurrent write, a 412 for ifMatch on the key's actual version is a lie.
            String report = assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 17)
                    .putIfMatch(2, "k", "b", 17, 20, 30, Answer.preconditionFailed()));
            assertThat(report).contains("so the condition held");
        }

        @Test
        void a412IsFineWhenAConcurrentWriteMayHaveChangedTheVersion() {
            // The same 412 is fine if a concurrent write may have moved the version first.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 17)
                    .put(3, "k", "c", 15, 35, 18)
                    .putIfMatch(2, "k", "b", 17, 20, 30, Answer.preconditionFailed()));
        }

        @Test
        void a412SayingAbsentNeedsAnAbsentKey() {
            // A 412 for ifMatch that says the key did not exist is right only if it did not.
            assertLinearizable(new Ops()
                    .putIfMatch(1, "k", "a", 4, 0, 10, Answer.preconditionFailedAbsent()));
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .putIfMatch(1, "k", "b", 4, 20, 30, Answer.preconditionFailedAbsent()));
        }

        @Test
        void aCreateOnlyPutFailsExactlyWhenTheKeyExists() {
            // If-None-Match: * gives 412 only on an existing key.
            assertLinearizable(new Ops()
                    .putIfAbsent(1, "k", "a", 0, 10, Answer.written(1))
                    .putIfAbsent(2, "k", "b", 20, 30, Answer.preconditionFailed(1)));
            assertNotLinearizable(new Ops()
                    .putIfAbsent(1, "k", "a", 0, 10, Answer.preconditionFailed()));
            assertNotLinearizable(new Ops()
                    .putIfAbsent(1, "k", "a", 0, 10, Answer.written(1))
                    .putIfAbsent(2, "k", "b", 20, 30, Answer.written(2)));
        }

        @Test
        void anUnconditionalPutCannotFailItsPrecondition() {
            // A 412 to a put with no condition is a store bug.
            assertThat(assertNotLinearizable(new Ops().add(1, Operation.Kind.PUT, "k", "a", Condition.none(),
                    Operation.LINEARIZABLE, 0, 10, Answer.preconditionFailed())))
                    .contains("an unconditional put cannot fail a precondition");
        }
    }

    @Nested
    class UnknownOutcomes {
        @Test
        void anUnknownPutThatALaterReadObservesIsLinearizable() {
            // A timed-out put may have taken effect; a later read pins its unknown version.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .putUnknown(2, "k", "b", 20)
                    .read(3, "k", 100, 110, "b", 7)
                    .putIfMatch(3, "k", "c", 7, 120, 130, Answer.written(8)));
        }

        @Test
        void aVersionPinnedByAReadMustStillIncrease() {
            // Once a read pinned an unknown write's version at 7, a later write cannot answer a version below it.
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .putUnknown(2, "k", "b", 20)
                    .read(3, "k", 100, 110, "b", 7)
                    .put(3, "k", "c", 120, 130, 6));
        }

        @Test
        void anUnknownWriteMustHaveAVersionAboveTheOneBefore() {
            // An unknown write that took effect after version 5 cannot be observed at version 5 or below.
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 5)
                    .putUnknown(2, "k", "b", 20)
                    .read(3, "k", 100, 110, "b", 5));
        }

        @Test
        void anUnknownPutNeverObservedIsLinearizable() {
            // A timed-out put may also never have happened.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .putUnknown(2, "k", "b", 20)
                    .read(3, "k", 100, 110, "a", 1)
                    .read(3, "k", 120, 130, "a", 1));
        }

        @Test
        void anUnknownConditionalWriteWhoseConditionNeverHeldCannotBeRead() {
            // An unknown ifMatch 99 write could only take effect where the key had version 99, which it never had.
            String report = assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .putIfMatchUnknown(2, "k", "b", 99, 20)
                    .read(3, "k", 100, 110, "b", 2));
            assertThat(report).contains("(unknown outcome) could take effect only where its condition held");
        }

        @Test
        void anUnknownDeleteMayHaveRemovedTheKey() {
            // A timed-out delete may have taken effect: a later read of absent is fine, and so is the old value.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .deleteUnknown(2, "k", 20)
                    .readAbsent(3, "k", 100, 110)
                    .putIfAbsent(3, "k", "b", 120, 130, Answer.written(4)));
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .deleteUnknown(2, "k", 20)
                    .read(3, "k", 100, 110, "a", 1));
        }

        @Test
        void anUnknownReadIsIgnored() {
            // A read whose answer never arrived says nothing.
            assertLinearizable(new Ops()
                    .add(1, Operation.Kind.READ, "k", null, Condition.none(), Operation.LINEARIZABLE, 0,
                            Operation.UNKNOWN_COMPLETION, Answer.unknown())
                    .put(2, "k", "a", 5, 10, 1));
        }
    }

    @Nested
    class StaleReads {
        @Test
        void aStaleReadOfAValueWrittenBeforeIsAccepted() {
            // A stale read may return an overwritten value, as long as some put wrote it at that version.
            assertLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .put(1, "k", "b", 20, 30, 2)
                    .staleRead(2, "k", 40, 50, Answer.read("a", 1))
                    .staleRead(2, "k", 60, 70, Answer.absent())
                    .putUnknown(3, "k", "c", 80)
                    .staleRead(2, "k", 90, 100, Answer.read("c", 12)));
        }

        @Test
        void aStaleReadOfAValueNeverWrittenIsRejected() {
            // A stale read cannot invent a value, or pair a written value with another version.
            String report = assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .staleRead(2, "k", 40, 50, Answer.read("zzz", 1)));
            assertThat(report).contains("stale reads of key \"k\" that match no put").contains("\"zzz\"");
            assertNotLinearizable(new Ops()
                    .put(1, "k", "a", 0, 10, 1)
                    .staleRead(2, "k", 40, 50, Answer.read("a", 2)));
            assertNotLinearizable(new Ops()
                    .staleRead(2, "k", 0, 10, Answer.read("a", 1))
                    .put(1, "k", "a", 20, 30, 1));
        }
    }

    @Nested
    class Reporting {
        private Ops mixed() {
            return new Ops()
                    .put(1, "good", "x", 0, 10, 1)
                    .put(2, "bad", "a", 0, 10, 2)
                    .put(2, "bad", "b", 20, 30, 3)
                    .read(3, "bad", 40, 50, "a", 2)
                    .read(1, "good", 20, 30, "x", 1);
        }

        @Test
        void keysAreCheckedIndependently() {
            // A violation on one key is reported on that key alone; the other key's operations stay linearizable.
            String report = assertNotLinearizable(mixed());
            assertThat(report.lines().findFirst().orElseThrow())
                    .startsWith("not linearizable: key \"bad\" (1 of 2 keys failing;");
            assertThat(report).doesNotContain("\"good\"");
        }

        @Test
        void theReportNamesTheKeyThePrefixAndTheStuckOperations() {
            // The report shows where the search got stuck: the prefix, the state, and why each candidate fails.
            String report = assertNotLinearizable(mixed());
            assertThat(report)
                    .contains("the longest linearizable prefix has 1 of them")
                    .contains("  #1 process 2 [0, 10] put(\"a\") -> version 2\n      then (\"a\", version 2)")
                    .contains("state there: (\"a\", version 2)")
                    .contains("stuck: #2 (process 2) returned at 30")
                    .contains("  #2 process 2 [20, 30] put(\"b\") -> version 3\n      no: it fits here, but leaves "
                            + "the key at (\"b\", version 3), and then #3 process 3 [40, 50] read() -> (\"a\", "
                            + "version 2) could "
                            + "never take effect (it needs the version at most 2)");
        }

        @Test
        void theSameHistoryGivesTheSameResultAndReport() {
            // The check is deterministic: no hash order reaches the verdict, the counts or the report.
            LinearizabilityChecker.Result first = mixed().check();
            LinearizabilityChecker.Result second = mixed().check();
            assertThat(second.report()).isEqualTo(first.report());
            assertThat(second.configurationsExplored()).isEqualTo(first.configurationsExplored());
            assertThat(second.keys()).isEqualTo(2);
            assertThat(second.operationsChecked()).isEqualTo(5);
        }

        @Test
        void theSearchBoundGivesInconclusive() {
            // A search that needs more configurations than allowed says inconclusive instead of running on.
            Ops ops = new Ops();
            for (int index = 0; index < 10; index++) {
                ops.put(1, "k", "v" + index, index * 10L, index * 10L + 5, index + 1);
            }
            LinearizabilityChecker.Result result = new LinearizabilityChecker(3).check(ops.list());
            assertThat(result.linearizable()).isFalse();
            assertThat(result.inconclusive()).isTrue();
            assertThat(result.report()).startsWith("inconclusive: the search on key \"k\" reached its bound of 3");
            assertThat(result.summary()).startsWith("inconclusive");
            assertThat(new LinearizabilityChecker(10).check(ops.list()).linearizable()).isTrue();
        }

        @Test
        void aBoundBelowOneIsRejected() {
            // The bound must let the search enter at least one configuration.
            assertThatThrownBy(() -> new LinearizabilityChecker(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
