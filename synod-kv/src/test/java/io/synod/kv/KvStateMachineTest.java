package io.synod.kv;

import static io.synod.kv.Commands.apply;
import static io.synod.kv.Commands.bytes;
import static io.synod.kv.Commands.delete;
import static io.synod.kv.Commands.deleteIfVersion;
import static io.synod.kv.Commands.noop;
import static io.synod.kv.Commands.put;
import static io.synod.kv.Commands.putIfAbsent;
import static io.synod.kv.Commands.putIfVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.synod.core.InvariantViolation;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.KvResult;
import io.synod.kv.proto.Put;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One test per rule of the key-value state machine: writes, versions, conditions, listing, bad commands. */
class KvStateMachineTest {
    private final KvStateMachine machine = new KvStateMachine();

    @Test
    void putThenGetReturnsTheValueWithTheCommandsRevisionAsVersion() {
        KvResult result = apply(machine, 5, put("a", "one"));

        assertThat(result.getStatus()).isEqualTo(KvResult.Status.OK);
        assertThat(result.getSlot()).isEqualTo(5);
        assertThat(result.getRevision()).isEqualTo(1);
        assertThat(result.getVersion()).isEqualTo(1);
        assertThat(result.getExists()).isTrue();
        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("one"), 1));
        assertThat(machine.get(bytes("b"))).isEmpty();
        assertThat(machine.size()).isEqualTo(1);
        assertThat(machine.lastCommandSlot()).isEqualTo(5);
        assertThat(machine.revision()).isEqualTo(1);
    }

    @Test
    void overwriteReplacesTheValueAndMovesTheVersion() {
        apply(machine, 1, put("a", "one"));
        apply(machine, 4, put("a", "two"));

        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("two"), 2));
        assertThat(machine.size()).isEqualTo(1);
    }

    /**
     * Bug 1 of issue 8: two writes of one key in one slot's batch shared the slot as their version, so a
     * compare-and-set against the first one's version succeeded although the second had overwritten it. Every command
     * now takes its own revision.
     */
    @Test
    void twoWritesOfOneKeyInOneBatchGetDifferentVersionsAndIfMatchOnTheFirstFails() {
        KvResult first = apply(machine, 9, put("a", "843"));
        KvResult second = apply(machine, 9, put("a", "844"));
        apply(machine, 9, put("b", "2"));

        assertThat(first.getVersion()).isNotEqualTo(second.getVersion());
        assertThat(second.getVersion()).isGreaterThan(first.getVersion());
        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("844"), second.getVersion()));

        KvResult stale = apply(machine, 10, putIfVersion("a", "845", first.getVersion()));
        assertThat(stale.getStatus()).isEqualTo(KvResult.Status.PRECONDITION_FAILED);
        assertThat(stale.getCurrentVersion()).isEqualTo(second.getVersion());
        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("844"), second.getVersion()));

        KvResult current = apply(machine, 10, putIfVersion("a", "845", second.getVersion()));
        assertThat(current.getStatus()).isEqualTo(KvResult.Status.OK);
    }

    /** Every command takes the next revision, whatever it does: no-ops, failed conditions and bad commands too. */
    @Test
    void everyAppliedCommandTakesTheNextRevision() {
        List<KvResult> results = List.of(
                apply(machine, 0, put("a", "one")),
                apply(machine, 0, noop()),
                apply(machine, 1, putIfAbsent("a", "two")),
                Commands.parse(machine.apply(1, new byte[] {(byte) 0xff})),
                apply(machine, 2, delete("a")));

        assertThat(results).extracting(KvResult::getRevision).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(machine.revision()).isEqualTo(5);
    }

    /** A delete has a revision of its own, and a key made again after it gets a version no earlier write had. */
    @Test
    void aDeleteAndRecreateNeverReuseAVersion() {
        long created = apply(machine, 1, put("a", "one")).getVersion();
        KvResult deleted = apply(machine, 1, delete("a"));
        long recreated = apply(machine, 1, put("a", "one")).getVersion();

        assertThat(deleted.getVersion()).isEqualTo(deleted.getRevision()).isGreaterThan(created);
        assertThat(recreated).isGreaterThan(deleted.getVersion());
        assertThat(apply(machine, 2, putIfVersion("a", "two", created)).getStatus())
                .isEqualTo(KvResult.Status.PRECONDITION_FAILED);
    }

    @Test
    void deleteRemovesTheKeyAndSaysSo() {
        apply(machine, 1, put("a", "one"));

        KvResult result = apply(machine, 2, delete("a"));

        assertThat(result.getStatus()).isEqualTo(KvResult.Status.OK);
        assertThat(result.getDeleted()).isTrue();
        assertThat(result.getExists()).isFalse();
        assertThat(result.getSlot()).isEqualTo(2);
        assertThat(machine.get(bytes("a"))).isEmpty();
        assertThat(machine.size()).isZero();
    }

    @Test
    void deleteOfAnAbsentKeySucceedsWithoutDeleting() {
        KvResult result = apply(machine, 3, delete("missing"));

        assertThat(result.getStatus()).isEqualTo(KvResult.Status.OK);
        assertThat(result.getDeleted()).isFalse();
        assertThat(machine.size()).isZero();
    }

    @Test
    void ifMatchWithTheCurrentVersionApplies() {
        apply(machine, 3, put("a", "one"));

        KvResult result = apply(machine, 7, putIfVersion("a", "two", 1));

        assertThat(result.getStatus()).isEqualTo(KvResult.Status.OK);
        assertThat(result.getVersion()).isEqualTo(2);
        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("two"), 2));
    }

    @Test
    void ifMatchWithAnOtherVersionFailsAndChangesNothing() {
        apply(machine, 3, put("b", "zero"));
        apply(machine, 3, put("a", "one"));

        KvResult result = apply(machine, 7, putIfVersion("a", "two", 1));

        assertThat(result.getStatus()).isEqualTo(KvResult.Status.PRECONDITION_FAILED);
        assertThat(result.getCurrentVersion()).isEqualTo(2);
        assertThat(result.getVersion()).isEqualTo(2);
        assertThat(result.getExists()).isTrue();
        assertThat(result.getSlot()).isEqualTo(7);
        assertThat(result.getRevision()).isEqualTo(3);
        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("one"), 2));
    }

    @Test
    void ifMatchOnAnAbsentKeyFailsWithCurrentVersionZero() {
        KvResult result = apply(machine, 4, putIfVersion("a", "two", 3));

        assertThat(result.getStatus()).isEqualTo(KvResult.Status.PRECONDITION_FAILED);
        assertThat(result.getCurrentVersion()).isZero();
        assertThat(result.getExists()).isFalse();
        assertThat(machine.size()).isZero();
    }

    @Test
    void createOnlyAppliesToAnAbsentKeyOnly() {
        KvResult created = apply(machine, 1, putIfAbsent("a", "one"));
        KvResult refused = apply(machine, 2, putIfAbsent("a", "two"));

        assertThat(created.getStatus()).isEqualTo(KvResult.Status.OK);
        assertThat(refused.getStatus()).isEqualTo(KvResult.Status.PRECONDITION_FAILED);
        assertThat(refused.getCurrentVersion()).isEqualTo(1);
        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("one"), 1));
    }

    @Test
    void conditionalDeleteChecksTheVersion() {
        apply(machine, 1, put("a", "one"));

        KvResult refused = apply(machine, 2, deleteIfVersion("a", 5));
        assertThat(refused.getStatus()).isEqualTo(KvResult.Status.PRECONDITION_FAILED);
        assertThat(refused.getDeleted()).isFalse();
        assertThat(machine.get(bytes("a"))).isPresent();

        KvResult deleted = apply(machine, 3, deleteIfVersion("a", 1));
        assertThat(deleted.getStatus()).isEqualTo(KvResult.Status.OK);
        assertThat(deleted.getVersion()).isEqualTo(3);
        assertThat(deleted.getDeleted()).isTrue();
        assertThat(apply(machine, 4, deleteIfVersion("a", 1)).getStatus())
                .isEqualTo(KvResult.Status.PRECONDITION_FAILED);
    }

    @Test
    void noopChangesNothing() {
        apply(machine, 1, put("a", "one"));

        KvResult result = apply(machine, 2, noop());

        assertThat(result.getStatus()).isEqualTo(KvResult.Status.OK);
        assertThat(result.getSlot()).isEqualTo(2);
        assertThat(machine.size()).isEqualTo(1);
        assertThat(machine.lastCommandSlot()).isEqualTo(2);
    }

    @Test
    void bytesThatDoNotParseAreABadCommandAndChangeNothing() {
        apply(machine, 1, put("a", "one"));
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02};

        KvResult result = Commands.parse(machine.apply(2, garbage));

        assertThat(result.getStatus()).isEqualTo(KvResult.Status.BAD_COMMAND);
        assertThat(result.getSlot()).isEqualTo(2);
        assertThat(result.getError()).isNotEmpty();
        assertThat(machine.get(bytes("a"))).contains(new Entry(bytes("one"), 1));
    }

    @Test
    void commandsThatMakeNoSenseAreBadCommands() {
        byte[] oversizedKey = new byte[KvStateMachine.KEY_BYTES_MAX + 1];
        KvCommand.Builder bothConditions = putIfVersion("a", "x", 1);
        bothConditions.getPutBuilder().setCreateOnly(true);
        List<KvCommand.Builder> nonsense = List.of(
                KvCommand.newBuilder(),
                KvCommand.newBuilder().setPut(Put.newBuilder().setValue(ByteString.copyFromUtf8("no key"))),
                put(oversizedKey, bytes("v")),
                delete(new byte[0]),
                bothConditions,
                put("a", "x").setIdempotencyKey("k".repeat(KvStateMachine.IDEMPOTENCY_KEY_BYTES_MAX + 1)));

        for (KvCommand.Builder command : nonsense) {
            assertThat(apply(machine, 1, command).getStatus()).isEqualTo(KvResult.Status.BAD_COMMAND);
        }
        assertThat(machine.size()).isZero();
        assertThat(machine.get(bytes("a"))).isEmpty();
        assertThat(machine.idempotencyTableSize()).isZero();
    }

    @Test
    void emptyBytesAreANoOperationBadCommand() {
        KvResult result = Commands.parse(machine.apply(1, new byte[0]));

        assertThat(result.getStatus()).isEqualTo(KvResult.Status.BAD_COMMAND);
    }

    @Test
    void slotsGoingDownAreABugOfTheCaller() {
        apply(machine, 10, put("a", "one"));

        assertThatThrownBy(() -> apply(machine, 9, put("a", "two"))).isInstanceOf(InvariantViolation.class);
    }

    @Test
    void listReturnsKeysWithThePrefixInUnsignedByteOrder() {
        byte[][] keys = {
            {'p', (byte) 0xff}, {'p', 0x00}, {'p'}, {'p', 0x7f}, {'p', (byte) 0x80}, {'o', (byte) 0xff}, {'q'}
        };
        long slot = 1;
        for (byte[] key : keys) {
            machine.apply(slot, put(key, new byte[] {(byte) slot}).build().toByteArray());
            slot++;
        }

        List<Item> items = machine.list(new byte[] {'p'}, 100);

        assertThat(items).extracting(Item::key).containsExactly(
                new byte[] {'p'}, new byte[] {'p', 0x00}, new byte[] {'p', 0x7f},
                new byte[] {'p', (byte) 0x80}, new byte[] {'p', (byte) 0xff});
        assertThat(items.get(0)).isEqualTo(new Item(new byte[] {'p'}, new byte[] {3}, 3));
        assertThat(items.get(1)).isEqualTo(new Item(new byte[] {'p', 0x00}, new byte[] {2}, 2));
    }

    @Test
    void listStopsAtTheLimit() {
        for (int i = 0; i < 50; i++) {
            apply(machine, i, put(String.format("k%02d", i), "v"));
        }

        assertThat(machine.list(bytes("k"), 3)).extracting(item -> new String(item.key()))
                .containsExactly("k00", "k01", "k02");
        assertThat(machine.list(bytes("k4"), 100)).hasSize(10);
        assertThat(machine.list(bytes("k"), 0)).isEmpty();
        assertThat(machine.list(new byte[0], 1_000)).hasSize(50);
        assertThat(machine.list(bytes("z"), 10)).isEmpty();
        assertThatThrownBy(() -> machine.list(bytes("k"), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The result of apply is a copy: a caller scribbling on it cannot change what a replay returns. */
    @Test
    void resultsAreTheCallersToKeep() {
        byte[] command = put("a", "one").setIdempotencyKey("id-1").build().toByteArray();
        byte[] first = machine.apply(1, command);
        byte[] expected = first.clone();
        Arrays.fill(first, (byte) 0);

        assertThat(machine.apply(2, command)).isEqualTo(expected);
    }
}
