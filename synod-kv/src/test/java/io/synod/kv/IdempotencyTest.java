package io.synod.kv;

import static io.synod.kv.Commands.apply;
import static io.synod.kv.Commands.bytes;
import static io.synod.kv.Commands.delete;
import static io.synod.kv.Commands.put;
import static io.synod.kv.Commands.putIfAbsent;
import static io.synod.kv.Commands.putIfVersion;
import static org.assertj.core.api.Assertions.assertThat;

import io.synod.kv.proto.KvResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exactly once: a retry of a request with a remembered idempotency key is answered, not applied again; the same key
 * on a different request is refused and changes nothing; the table is bounded and forgets deterministically.
 */
class IdempotencyTest {
    @Test
    void replayReturnsTheFirstResultByteForByteAndChangesNothing() {
        KvStateMachine machine = new KvStateMachine();
        byte[] command = put("a", "one").setIdempotencyKey("request-1").build().toByteArray();
        byte[] first = machine.apply(3, command);
        apply(machine, 4, put("a", "two"));
        byte[] snapshotBefore = Commands.snapshotBytes(machine);

        byte[] replay = machine.apply(8, command);

        assertThat(replay).isEqualTo(first);
        assertThat(Commands.parse(replay).getSlot()).isEqualTo(3);
        assertThat(Commands.parse(replay).getRevision()).isEqualTo(1);
        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("two"), 2));
        assertThat(machine.idempotencyTableSize()).isEqualTo(1);
        // Only the last command slot and the revision moved; keys and table are as they were.
        assertThat(Commands.snapshotBytes(restoredWithOneNoop(snapshotBefore, 8)))
                .isEqualTo(Commands.snapshotBytes(machine));
    }

    /**
     * Bug 2 of issue 8: a key used for one request answered "success" for another, which never happened. The same
     * key on a different put (other key, other value) or on a delete is refused and changes nothing.
     */
    @Test
    void theSameKeyOnADifferentRequestIsRefusedAndChangesNothing() {
        KvStateMachine machine = new KvStateMachine();
        byte[] first = machine.apply(1, put("order/17", "paid").setIdempotencyKey("order-17").build().toByteArray());
        byte[] before = Commands.snapshotBytes(machine);

        KvResult otherKey = apply(machine, 2, put("unrelated", "x").setIdempotencyKey("order-17"));
        KvResult otherValue = apply(machine, 2, put("order/17", "refunded").setIdempotencyKey("order-17"));
        KvResult deletion = apply(machine, 3, delete("order/17").setIdempotencyKey("order-17"));
        KvResult condition = apply(machine, 3, putIfAbsent("order/17", "paid").setIdempotencyKey("order-17"));

        for (KvResult refused : List.of(otherKey, otherValue, deletion, condition)) {
            assertThat(refused.getStatus()).isEqualTo(KvResult.Status.IDEMPOTENCY_KEY_REUSED);
            assertThat(refused.getError()).isNotEmpty();
        }
        assertThat(machine.get(bytes("unrelated"))).isEmpty();
        assertThat(machine.get(bytes("order/17"))).contains(new Entry(bytes("paid"), 1));
        // The first request's retry still gets its answer.
        byte[] retry = machine.apply(4, put("order/17", "paid").setIdempotencyKey("order-17").build().toByteArray());
        assertThat(retry).isEqualTo(first);
        assertThat(Commands.snapshotBytes(restoredWithNoops(before, 4, 5))).isEqualTo(Commands.snapshotBytes(machine));
    }

    /** Conditions are part of the request: the same put with another If-Match is another request. */
    @Test
    void theConditionIsPartOfTheRequest() {
        KvStateMachine machine = new KvStateMachine();
        apply(machine, 1, put("a", "one"));
        apply(machine, 2, putIfVersion("a", "two", 1).setIdempotencyKey("k"));

        KvResult otherCondition = apply(machine, 3, putIfVersion("a", "two", 2).setIdempotencyKey("k"));
        KvResult noCondition = apply(machine, 3, put("a", "two").setIdempotencyKey("k"));

        assertThat(otherCondition.getStatus()).isEqualTo(KvResult.Status.IDEMPOTENCY_KEY_REUSED);
        assertThat(noCondition.getStatus()).isEqualTo(KvResult.Status.IDEMPOTENCY_KEY_REUSED);
        assertThat(machine.get(bytes("a")).orElseThrow().version()).isEqualTo(2);
    }

    /** A failed precondition is a result like any other: its replay fails the same way even if it would now pass. */
    @Test
    void replayOfAFailedConditionStillFails() {
        KvStateMachine machine = new KvStateMachine();
        apply(machine, 1, put("a", "one"));
        KvResult first = apply(machine, 2, putIfAbsent("a", "two").setIdempotencyKey("k"));
        apply(machine, 3, delete("a"));

        KvResult replay = apply(machine, 4, putIfAbsent("a", "two").setIdempotencyKey("k"));

        assertThat(replay).isEqualTo(first);
        assertThat(replay.getStatus()).isEqualTo(KvResult.Status.PRECONDITION_FAILED);
        assertThat(machine.get(bytes("a"))).isEmpty();
    }

    @Test
    void aKeyIsForgottenOnceItsRevisionLeavesTheRetentionWindow() {
        KvStateMachine machine = new KvStateMachine(new KvConfig(10, 1_000));
        apply(machine, 100, put("a", "one").setIdempotencyKey("k"));
        for (int i = 0; i < 8; i++) {
            apply(machine, 100, Commands.noop());
        }

        // Revision 10 is the last inside the window of 10 revisions starting at 1: still a replay.
        KvResult inside = apply(machine, 101, put("a", "one").setIdempotencyKey("k"));
        assertThat(inside.getRevision()).isEqualTo(1);
        assertThat(machine.get(bytes("a")).orElseThrow().version()).isEqualTo(1);

        // At revision 11 the key is forgotten, so the same request is applied again.
        KvResult outside = apply(machine, 101, put("a", "one").setIdempotencyKey("k"));
        assertThat(outside.getRevision()).isEqualTo(11);
        assertThat(machine.get(bytes("a")).orElseThrow().version()).isEqualTo(11);
    }

    @Test
    void commandsWithoutAKeyStillMoveTheWindow() {
        KvStateMachine machine = new KvStateMachine(new KvConfig(10, 1_000));
        apply(machine, 1, put("a", "one").setIdempotencyKey("k"));

        for (int i = 0; i < 10; i++) {
            apply(machine, 2, put("b", "x"));
        }

        assertThat(machine.idempotencyTableSize()).isZero();
    }

    @Test
    void beyondTheBoundTheOldestKeysAreForgottenFirst() {
        KvStateMachine machine = new KvStateMachine(new KvConfig(1_000_000, 3));
        for (int i = 0; i < 5; i++) {
            apply(machine, 1 + i / 2, put("key" + i, "v").setIdempotencyKey("id-" + i));
        }

        assertThat(machine.idempotencyTableSize()).isEqualTo(3);
        assertThat(rememberedKeys(machine)).containsExactly("id-2", "id-3", "id-4");
    }

    /**
     * Proves eviction depends only on the applied commands: two replicas fed the same commands, one of them restored
     * from a snapshot half way (so its internal sequence numbers restart), remember exactly the same keys.
     */
    @Test
    void evictionIsTheSameOnEveryReplica() {
        KvConfig config = new KvConfig(40, 25);
        KvStateMachine first = new KvStateMachine(config);
        KvStateMachine second = new KvStateMachine(config);
        for (int i = 0; i < 300; i++) {
            byte[] command =
                    put("k" + (i % 17), "v" + (i % 5)).setIdempotencyKey("id-" + (i * 7 % 101)).build().toByteArray();
            long slot = i / 3;
            assertThat(second.apply(slot, command)).isEqualTo(first.apply(slot, command));
            if (i == 150) {
                second = Commands.restored(Commands.snapshotBytes(second), config);
            }
        }
        assertThat(Commands.snapshotBytes(second)).isEqualTo(Commands.snapshotBytes(first));
        assertThat(first.idempotencyTableSize()).isEqualTo(25);
    }

    /** The table travels in snapshots: a replica restored from one answers a retry as the original would. */
    @Test
    void aRestoredReplicaAnswersRetriesAndRefusesReuseAsTheOriginal() {
        KvStateMachine original = new KvStateMachine();
        byte[] command = put("a", "one").setIdempotencyKey("k").build().toByteArray();
        byte[] first = original.apply(1, command);
        KvStateMachine restored = Commands.restored(Commands.snapshotBytes(original), KvConfig.defaults());

        assertThat(restored.apply(2, command)).isEqualTo(first);
        assertThat(apply(restored, 2, delete("a").setIdempotencyKey("k")).getStatus())
                .isEqualTo(KvResult.Status.IDEMPOTENCY_KEY_REUSED);
        assertThat(restored.get(bytes("a"))).contains(new Entry(bytes("one"), 1));
    }

    /** The keys the table remembers, oldest first, read from the snapshot so the test uses no internals. */
    private static List<String> rememberedKeys(KvStateMachine machine) {
        ByteBuffer snapshot = ByteBuffer.wrap(Commands.snapshotBytes(machine));
        snapshot.position(24); // magic, format, last command slot, revision
        long keys = snapshot.getLong();
        for (long i = 0; i < keys; i++) {
            skipByteString(snapshot);
            skipByteString(snapshot);
            snapshot.getLong();
        }
        List<String> remembered = new ArrayList<>();
        for (long i = snapshot.getLong(); i > 0; i--) {
            byte[] key = new byte[snapshot.getInt()];
            snapshot.get(key);
            remembered.add(new String(key, StandardCharsets.UTF_8));
            snapshot.getLong();
            skipByteString(snapshot);
            skipByteString(snapshot);
        }
        return remembered;
    }

    private static void skipByteString(ByteBuffer buffer) {
        int length = buffer.getInt();
        buffer.position(buffer.position() + length);
    }

    private static KvStateMachine restoredWithOneNoop(byte[] snapshot, long lastSlot) {
        return restoredWithNoops(snapshot, lastSlot, 1);
    }

    /** The snapshot restored, then {@code count} no-ops applied: they move the revision and the last slot only. */
    private static KvStateMachine restoredWithNoops(byte[] snapshot, long lastSlot, int count) {
        KvStateMachine machine = Commands.restored(snapshot, KvConfig.defaults());
        for (int i = 0; i < count; i++) {
            apply(machine, lastSlot, Commands.noop());
        }
        return machine;
    }
}
