package io.synod.kv;

import static io.synod.kv.Commands.apply;
import static io.synod.kv.Commands.bytes;
import static io.synod.kv.Commands.delete;
import static io.synod.kv.Commands.put;
import static io.synod.kv.Commands.putIfAbsent;
import static org.assertj.core.api.Assertions.assertThat;

import io.synod.kv.proto.KvResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exactly once: a command with a remembered idempotency key is answered, not applied again; the table is bounded. */
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
        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("two"), 4));
        assertThat(machine.idempotencyTableSize()).isEqualTo(1);
        // Only the last command slot moved; keys and table are as they were.
        assertThat(Commands.snapshotBytes(restoredAt(snapshotBefore, 8))).isEqualTo(Commands.snapshotBytes(machine));
    }

    /** The key identifies the request, not its content: a different command under a used key gets the first answer. */
    @Test
    void aRememberedKeyAnswersEvenForADifferentCommand() {
        KvStateMachine machine = new KvStateMachine();
        byte[] first = machine.apply(1, put("a", "one").setIdempotencyKey("k").build().toByteArray());

        byte[] other = machine.apply(2, delete("a").setIdempotencyKey("k").build().toByteArray());

        assertThat(other).isEqualTo(first);
        assertThat(machine.get(bytes("a"))).isPresent();
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
    void aKeyIsForgottenOnceItsSlotLeavesTheRetentionWindow() {
        KvStateMachine machine = new KvStateMachine(new KvConfig(10, 1_000));
        apply(machine, 100, put("a", "one").setIdempotencyKey("k"));

        // Slot 109 is the last inside the window of 10 slots starting at 100: still a replay.
        KvResult inside = apply(machine, 109, put("a", "two").setIdempotencyKey("k"));
        assertThat(inside.getSlot()).isEqualTo(100);
        assertThat(machine.get(bytes("a")).orElseThrow().version()).isEqualTo(100);

        // At slot 110 the key is forgotten, so the same request is applied again.
        KvResult outside = apply(machine, 110, put("a", "two").setIdempotencyKey("k"));
        assertThat(outside.getSlot()).isEqualTo(110);
        assertThat(machine.get(bytes("a")).orElseThrow().version()).isEqualTo(110);
    }

    @Test
    void commandsWithoutAKeyStillMoveTheWindow() {
        KvStateMachine machine = new KvStateMachine(new KvConfig(10, 1_000));
        apply(machine, 1, put("a", "one").setIdempotencyKey("k"));

        apply(machine, 11, put("b", "x"));

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
                    put("k" + (i % 17), "v" + i).setIdempotencyKey("id-" + (i * 7 % 101)).build().toByteArray();
            long slot = i / 3;
            assertThat(second.apply(slot, command)).isEqualTo(first.apply(slot, command));
            if (i == 150) {
                second = Commands.restored(Commands.snapshotBytes(second), config);
            }
        }
        assertThat(Commands.snapshotBytes(second)).isEqualTo(Commands.snapshotBytes(first));
        assertThat(first.idempotencyTableSize()).isEqualTo(25);
    }

    /** The keys the table remembers, oldest first, read from the snapshot so the test uses no internals. */
    private static List<String> rememberedKeys(KvStateMachine machine) {
        ByteBuffer snapshot = ByteBuffer.wrap(Commands.snapshotBytes(machine));
        snapshot.position(16);
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
        }
        return remembered;
    }

    private static void skipByteString(ByteBuffer buffer) {
        int length = buffer.getInt();
        buffer.position(buffer.position() + length);
    }

    private static KvStateMachine restoredAt(byte[] snapshot, long lastSlot) {
        KvStateMachine machine = Commands.restored(snapshot, KvConfig.defaults());
        // A no-op moves the last command slot without touching keys or the table.
        apply(machine, lastSlot, Commands.noop());
        return machine;
    }
}
