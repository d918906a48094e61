package io.synod.replica.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.core.message.Envelope;
import io.synod.kv.Entry;
import io.synod.kv.KvStateMachine;
import io.synod.kv.KvStore;
import io.synod.replica.Outcome;
import io.synod.replica.Replica;
import io.synod.replica.kv.KvRequest.Condition;
import io.synod.replica.kv.KvRequest.Consistency;
import io.synod.storage.MemoryStorage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The key-value service through its whole API, on a real replica and the real store: a single-node cluster (which
 * commits on its own) for what must happen, and one member of a three-node cluster whose peers never answer for what
 * must not.
 */
class KvServiceTest {
    /** A host around a real replica; reachability and writability are switches the tests flip. */
    private static final class TestHost implements KvService.Host {
        final KvStateMachine store = new KvStateMachine();
        final Replica replica;
        final List<Envelope> sent = new ArrayList<>();
        long nowMs = 1;
        boolean reachable = true;
        boolean writable = true;
        int proposed;
        KvService service;

        TestHost(List<Integer> members) {
            NodeConfig config = NodeConfig.builder(0, members).build();
            SplittableRandom random = new SplittableRandom(7);
            MemoryStorage storage = new MemoryStorage(false);
            Node node = new Node(config, storage.recover(), random.split());
            replica = new Replica(node, storage, sent::add, store, random.split());
        }

        @Override
        public long nowMs() {
            return nowMs;
        }

        @Override
        public int nodeId() {
            return 0;
        }

        @Override
        public io.synod.core.election.Mastership mastership() {
            return replica.status().mastership();
        }

        @Override
        public long committedSlot() {
            return replica.status().committed();
        }

        @Override
        public KvStore store() {
            return store;
        }

        @Override
        public long appliedSlot() {
            return replica.appliedSlot();
        }

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public boolean majorityReachable() {
            return reachable;
        }

        @Override
        public void propose(byte[] command, Consumer<Outcome> done) {
            proposed++;
            replica.propose(nowMs, command, done);
            service.afterApply();
        }

        @Override
        public void readIndex(Consumer<io.synod.replica.ReadOutcome> done) {
            replica.readIndex(nowMs, done);
            service.afterApply();
        }

        /** Lets time pass for the replica and the service. */
        void advance(long ms) {
            nowMs += ms;
            replica.tick(nowMs);
            service.tick(nowMs);
            service.afterApply();
        }
    }

    private final TestHost single = host(List.of(0));

    private static TestHost host(List<Integer> members) {
        TestHost host = new TestHost(members);
        host.service = new KvService(host, new ReadBarrier(), new KvService.Options(1_000, 10));
        return host;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static KvAnswer.Write put(TestHost host, String key, String value, Condition condition, String idem) {
        List<KvAnswer.Write> answers = new ArrayList<>();
        host.service.put(new KvRequest.Put(bytes(key), bytes(value), condition, idem), answers::add);
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    private static KvAnswer.Read<Optional<Entry>> get(TestHost host, String key, Consistency consistency) {
        List<KvAnswer.Read<Optional<Entry>>> answers = new ArrayList<>();
        host.service.get(new KvRequest.Get(bytes(key), consistency, null), answers::add);
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    @Test
    void aPutIsAnsweredWithItsSlotAndVersionAndAReadSeesIt() {
        KvAnswer.Write written = put(single, "a", "one", Condition.NONE, null);

        assertThat(written).isEqualTo(new KvAnswer.Written(0, 1));
        KvAnswer.Read<Optional<Entry>> read = get(single, "a", Consistency.LINEARIZABLE);
        assertThat(read).isInstanceOfSatisfying(KvAnswer.Value.class, value -> {
            assertThat(value.value()).isEqualTo(Optional.of(new Entry(bytes("one"), 1)));
            assertThat(value.ordered()).isTrue();
        });
    }

    /** Bug 1 of issue 8 through the service: two puts in one slot's batch, then If-Match on the first's version. */
    @Test
    void twoPutsInOneBatchGetDifferentVersionsAndIfMatchOnTheFirstIsRefused() {
        List<KvAnswer.Write> answers = new ArrayList<>();
        single.replica.hold();
        single.service.put(new KvRequest.Put(bytes("k"), bytes("843"), Condition.NONE, null), answers::add);
        single.service.put(new KvRequest.Put(bytes("k"), bytes("844"), Condition.NONE, null), answers::add);
        single.replica.flush();

        assertThat(answers).hasSize(2);
        KvAnswer.Written first = (KvAnswer.Written) answers.get(0);
        KvAnswer.Written second = (KvAnswer.Written) answers.get(1);
        assertThat(first.slot()).as("one slot, one batch").isEqualTo(second.slot());
        assertThat(first.version()).isNotEqualTo(second.version());

        KvAnswer.Write stale = put(single, "k", "845", new Condition.IfMatch(first.version()), null);
        assertThat(stale).isEqualTo(new KvAnswer.PreconditionFailed(1, true, second.version()));
    }

    /** Bug 2 of issue 8 through the service: a key reused on another request is refused; its own retry is answered. */
    @Test
    void anIdempotencyKeyReusedOnAnotherRequestIsRefusedAndChangesNothing() {
        KvAnswer.Write first = put(single, "order/17", "paid", Condition.NONE, "order-17");

        KvAnswer.Write other = put(single, "unrelated", "x", Condition.NONE, "order-17");
        List<KvAnswer.Write> deletes = new ArrayList<>();
        single.service.delete(new KvRequest.Delete(bytes("order/17"), Condition.NONE, "order-17"), deletes::add);
        KvAnswer.Write retry = put(single, "order/17", "paid", Condition.NONE, "order-17");

        assertThat(other).isInstanceOf(KvAnswer.IdempotencyKeyReused.class);
        assertThat(deletes).singleElement().isInstanceOf(KvAnswer.IdempotencyKeyReused.class);
        assertThat(retry).isEqualTo(first);
        assertThat(single.store.get(bytes("unrelated"))).isEmpty();
        assertThat(single.store.get(bytes("order/17"))).isPresent();
    }

    @Test
    void aFailedConditionIsAnsweredAsSuchAndARetryOfItTheSame() {
        put(single, "a", "one", Condition.NONE, null);

        KvAnswer.Write refused = put(single, "a", "two", Condition.IF_ABSENT, "create-a");
        KvAnswer.Write retried = put(single, "a", "two", Condition.IF_ABSENT, "create-a");

        assertThat(refused).isEqualTo(new KvAnswer.PreconditionFailed(1, true, 1));
        assertThat(retried).isEqualTo(refused);
    }

    @Test
    void aDeleteIsAnsweredWithItsOwnRevision() {
        put(single, "a", "one", Condition.NONE, null);
        List<KvAnswer.Write> answers = new ArrayList<>();

        single.service.delete(new KvRequest.Delete(bytes("a"), new Condition.IfMatch(1), null), answers::add);

        assertThat(answers).containsExactly(new KvAnswer.Deleted(1, 2, true));
        assertThat(get(single, "a", Consistency.STALE)).isEqualTo(new KvAnswer.Value<>(Optional.empty(), 2, false));
    }

    /** Bug 3 of issue 8: with no majority in sight the answer is 503 at once, and nothing is proposed. */
    @Test
    void withoutAReachableMajorityWritesAndOrderedReadsAreRefusedAtOnceAndNothingIsProposed() {
        single.reachable = false;

        KvAnswer.Write write = put(single, "a", "one", Condition.NONE, null);
        KvAnswer.Read<Optional<Entry>> linearizable = get(single, "a", Consistency.LINEARIZABLE);
        KvAnswer.Read<Optional<Entry>> quorum = get(single, "a", Consistency.QUORUM);
        KvAnswer.Read<Optional<Entry>> stale = get(single, "a", Consistency.STALE);

        assertThat(write).isEqualTo(new KvAnswer.Refused(KvAnswer.Refusal.NO_QUORUM));
        assertThat(linearizable).isEqualTo(new KvAnswer.ReadRefused<>(KvAnswer.Refusal.NO_QUORUM));
        assertThat(quorum).isEqualTo(new KvAnswer.ReadRefused<>(KvAnswer.Refusal.NO_QUORUM));
        assertThat(stale).isInstanceOf(KvAnswer.Value.class);
        assertThat(single.proposed).isZero();
        assertThat(single.replica.status().committed()).isZero();
    }

    /** A proposed write that does not finish is unknown, never "failed", and a late outcome does not answer again. */
    @Test
    void aProposedWriteThatTimesOutIsUnknownAndALateOutcomeIsIgnored() {
        TestHost lonely = host(List.of(0, 1, 2));
        List<KvAnswer.Write> answers = new ArrayList<>();
        lonely.service.put(new KvRequest.Put(bytes("a"), bytes("one"), Condition.NONE, null), answers::add);
        assertThat(lonely.proposed).isEqualTo(1);

        lonely.advance(999);
        assertThat(answers).isEmpty();
        lonely.advance(1);

        assertThat(answers).singleElement().isInstanceOf(KvAnswer.Unknown.class);
        assertThat(lonely.service.outstanding()).isZero();
    }

    @Test
    void aReadWaitsForItsMinSlotAndTimesOutIfItNeverComes() {
        List<KvAnswer.Read<Optional<Entry>>> answers = new ArrayList<>();
        single.service.get(new KvRequest.Get(bytes("a"), Consistency.STALE, 0L), answers::add);
        single.service.get(new KvRequest.Get(bytes("a"), Consistency.STALE, 5L), answers::add);
        assertThat(answers).isEmpty();

        put(single, "a", "one", Condition.NONE, null);
        assertThat(answers).singleElement().isEqualTo(new KvAnswer.Value<>(Optional.of(new Entry(bytes("one"), 1)),
                1, false));

        single.advance(1_000);
        assertThat(answers).hasSize(2).last().isInstanceOf(KvAnswer.TimedOut.class);
        assertThat(single.service.outstanding()).isZero();
    }

    /** A min-slot at the top of the range neither overflows nor is ever reached; it times out like any other. */
    @Test
    void theLargestMinSlotDoesNotOverflow() {
        List<KvAnswer.Read<Optional<Entry>>> answers = new ArrayList<>();
        single.service.get(new KvRequest.Get(bytes("a"), Consistency.STALE, Long.MAX_VALUE), answers::add);
        put(single, "a", "one", Condition.NONE, null);
        assertThat(answers).isEmpty();

        single.advance(1_000);
        assertThat(answers).singleElement().isInstanceOf(KvAnswer.TimedOut.class);
    }

    /** A read that timed out or was answered leaves nothing behind, whatever its min-slot: the waiters stay bounded. */
    @Test
    void minSlotWaitersAreForgottenOnceAnsweredOrTimedOut() {
        List<KvAnswer.Read<Optional<Entry>>> answers = new ArrayList<>();
        for (long minSlot : new long[] {0, 5, 6, Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MAX_VALUE}) {
            single.service.get(new KvRequest.Get(bytes("a"), Consistency.STALE, minSlot), answers::add);
        }
        assertThat(single.service.minSlotsWaitedFor()).isEqualTo(5);

        put(single, "a", "one", Condition.NONE, null);
        assertThat(answers).hasSize(1);
        assertThat(single.service.minSlotsWaitedFor()).isEqualTo(4);

        single.advance(1_000);
        assertThat(answers).hasSize(6);
        assertThat(answers.subList(1, 6)).allSatisfy(a -> assertThat(a).isInstanceOf(KvAnswer.TimedOut.class));
        assertThat(single.service.minSlotsWaitedFor()).isZero();
        assertThat(single.service.outstanding()).isZero();

        // Many more than the bound, in waves that time out: never more than the bound at once, nothing kept.
        for (int wave = 0; wave < 5; wave++) {
            for (int i = 0; i < 10; i++) {
                single.service.get(new KvRequest.Get(bytes("a"), Consistency.STALE, 1_000L + wave * 10 + i),
                        answers::add);
            }
            assertThat(single.service.minSlotsWaitedFor()).isEqualTo(10);
            single.advance(1_000);
            assertThat(single.service.minSlotsWaitedFor()).isZero();
        }
    }

    @Test
    void waitingRequestsAreBoundedAndTheOneTooManyIsRefused() {
        List<KvAnswer.Read<Optional<Entry>>> answers = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            single.service.get(new KvRequest.Get(bytes("a"), Consistency.STALE, 100L), answers::add);
        }

        assertThat(answers).singleElement().isEqualTo(new KvAnswer.ReadRefused<>(KvAnswer.Refusal.OVERLOADED));
        assertThat(single.service.outstanding()).isEqualTo(10);
    }

    /** A read-only node (disk full) keeps serving stale reads but neither writes nor orders reads. */
    @Test
    void aReadOnlyNodeServesOnlyStaleReads() {
        put(single, "a", "one", Condition.NONE, null);
        single.writable = false;

        assertThat(put(single, "a", "two", Condition.NONE, null))
                .isEqualTo(new KvAnswer.Refused(KvAnswer.Refusal.DISK_FULL));
        assertThat(get(single, "a", Consistency.LINEARIZABLE))
                .isEqualTo(new KvAnswer.ReadRefused<>(KvAnswer.Refusal.DISK_FULL));
        assertThat(get(single, "a", Consistency.STALE))
                .isEqualTo(new KvAnswer.Value<>(Optional.of(new Entry(bytes("one"), 1)), 1, false));
    }

    @Test
    void abandonAnswersEveryWaitingRequest() {
        TestHost lonely = host(List.of(0, 1, 2));
        List<Object> answers = new ArrayList<>();
        lonely.service.put(new KvRequest.Put(bytes("a"), bytes("one"), Condition.NONE, null), answers::add);
        lonely.service.get(new KvRequest.Get(bytes("a"), Consistency.STALE, 9L), answers::add);

        lonely.service.abandon();

        assertThat(answers).hasSize(2);
        assertThat(answers.get(0)).isInstanceOf(KvAnswer.Unknown.class);
        assertThat(answers.get(1)).isInstanceOf(KvAnswer.TimedOut.class);
    }

    /** The disk filled up under a proposed write: its outcome is unknown (504), never refused as if nothing happened. */
    @Test
    void aWriteAbandonedBecauseTheDiskFilledUpIsUnknown() {
        TestHost lonely = host(List.of(0, 1, 2));
        List<KvAnswer.Write> answers = new ArrayList<>();
        lonely.service.put(new KvRequest.Put(bytes("a"), bytes("one"), Condition.NONE, null), answers::add);

        lonely.writable = false;
        lonely.replica.abandonDiskFull();

        assertThat(answers).singleElement().isInstanceOfSatisfying(KvAnswer.Unknown.class,
                unknown -> assertThat(unknown.why()).contains("disk filled up"));
        assertThat(lonely.service.outstanding()).isZero();
    }

    /** A read barrier lost to a full disk refuses the read with DISK_FULL at once; it is not proposed again. */
    @Test
    void aReadBarrierAbandonedBecauseTheDiskFilledUpIsRefusedAsDiskFull() {
        TestHost lonely = host(List.of(0, 1, 2));
        List<KvAnswer.Read<Optional<Entry>>> answers = new ArrayList<>();
        lonely.service.get(new KvRequest.Get(bytes("a"), Consistency.LINEARIZABLE, null), answers::add);
        assertThat(lonely.proposed).isEqualTo(1);

        lonely.replica.abandonDiskFull();

        assertThat(answers).singleElement().isEqualTo(new KvAnswer.ReadRefused<>(KvAnswer.Refusal.DISK_FULL));
        assertThat(lonely.proposed).as("no second barrier").isEqualTo(1);
    }
}
