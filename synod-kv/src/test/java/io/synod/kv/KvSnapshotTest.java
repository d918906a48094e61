package io.synod.kv;

import static io.synod.kv.Commands.apply;
import static io.synod.kv.Commands.bytes;
import static io.synod.kv.Commands.delete;
import static io.synod.kv.Commands.noop;
import static io.synod.kv.Commands.put;
import static io.synod.kv.Commands.snapshotBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.StateMachine;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Snapshot and restore: round trips, byte-identical snapshots, point-in-time capture, and refusal of bad bytes. */
class KvSnapshotTest {
    private static final KvConfig CONFIG = KvConfig.defaults();

    @Test
    void roundTripRestoresKeysVersionsIdempotencyTableAndLastSlot() {
        KvStateMachine original = new KvStateMachine();
        apply(original, 1, put("a", "one"));
        apply(original, 2, put("b", "two").setIdempotencyKey("request-b"));
        byte[] firstResult = original.apply(3, put("c", "three").setIdempotencyKey("request-c").build().toByteArray());
        apply(original, 4, delete("a"));
        apply(original, 6, noop());

        KvStateMachine copy = Commands.restored(snapshotBytes(original), CONFIG);

        assertThat(copy.list(new byte[0], 100)).isEqualTo(original.list(new byte[0], 100));
        assertThat(copy.get(bytes("b"))).contains(new Entry(bytes("two"), 2));
        assertThat(copy.get(bytes("a"))).isEmpty();
        assertThat(copy.size()).isEqualTo(2);
        assertThat(copy.lastCommandSlot()).isEqualTo(6);
        assertThat(copy.revision()).isEqualTo(5);
        assertThat(copy.idempotencyTableSize()).isEqualTo(2);
        // The table came across: the retried request is answered with its first result, not applied again.
        byte[] replay = copy.apply(7, put("c", "three").setIdempotencyKey("request-c").build().toByteArray());
        assertThat(replay).isEqualTo(firstResult);
        assertThat(copy.get(bytes("c"))).contains(new Entry(bytes("three"), 3));
    }

    /** A restored snapshot continues the revision counter: the next write takes the revision after the snapshot's. */
    @Test
    void aRestoredSnapshotContinuesTheRevisionCounter() {
        KvStateMachine original = new KvStateMachine();
        for (int i = 0; i < 7; i++) {
            apply(original, i, put("k" + i, "v"));
        }
        KvStateMachine copy = Commands.restored(snapshotBytes(original), CONFIG);

        assertThat(copy.revision()).isEqualTo(7);
        assertThat(apply(copy, 9, put("k0", "again")).getVersion()).isEqualTo(8);
        assertThat(apply(original, 9, put("k0", "again")).getVersion()).isEqualTo(8);
        assertThat(snapshotBytes(copy)).isEqualTo(snapshotBytes(original));
    }

    @Test
    void emptyStateRoundTrips() {
        KvStateMachine empty = new KvStateMachine();
        byte[] snapshot = snapshotBytes(empty);

        KvStateMachine copy = Commands.restored(snapshot, CONFIG);

        assertThat(copy.size()).isZero();
        assertThat(copy.lastCommandSlot()).isEqualTo(-1);
        assertThat(copy.revision()).isZero();
        assertThat(snapshotBytes(copy)).isEqualTo(snapshot);
    }

    @Test
    void restoreReplacesTheWholeState() {
        KvStateMachine source = new KvStateMachine();
        apply(source, 1, put("new", "value"));
        KvStateMachine target = new KvStateMachine();
        apply(target, 5, put("old", "value").setIdempotencyKey("old-request"));

        target.restore(Commands.source(snapshotBytes(source)));

        assertThat(target.get(bytes("old"))).isEmpty();
        assertThat(target.get(bytes("new"))).isPresent();
        assertThat(target.idempotencyTableSize()).isZero();
        assertThat(target.lastCommandSlot()).isEqualTo(1);
    }

    @Test
    void twoReplicasFedTheSameCommandsWriteIdenticalBytes() {
        KvStateMachine first = new KvStateMachine();
        KvStateMachine second = new KvStateMachine();
        for (int i = 0; i < 5_000; i++) {
            byte[] command = (i % 5 == 4 ? delete("key" + (i * 31 % 3_000)) : put("key" + (i * 17 % 3_000), "v" + i))
                    .setIdempotencyKey(i % 3 == 0 ? "id-" + i : "")
                    .build()
                    .toByteArray();
            first.apply(i / 4, command);
            second.apply(i / 4, command);
        }

        assertThat(snapshotBytes(second)).isEqualTo(snapshotBytes(first));
    }

    /**
     * The bytes depend on the state only, not on the history of the tree that holds it: a replica restored from a
     * snapshot holds the keys in a bulk-built tree of another shape than the original's, grown one insert at a time,
     * and after the same further commands both write the same bytes.
     */
    @Test
    void sameStateInTreesOfDifferentShapesWritesIdenticalBytes() {
        KvStateMachine incremental = new KvStateMachine();
        for (int i = 0; i < 2_000; i++) {
            apply(incremental, 1, put("key" + (1_999 - i), "v"));
            apply(incremental, 1, put("temporary" + i, "v"));
        }
        KvStateMachine bulk = Commands.restored(snapshotBytes(incremental), CONFIG);
        for (KvStateMachine machine : new KvStateMachine[] {incremental, bulk}) {
            for (int i = 0; i < 2_000; i++) {
                apply(machine, 2, delete("temporary" + i));
            }
        }

        assertThat(snapshotBytes(bulk)).isEqualTo(snapshotBytes(incremental));
    }

    /**
     * Proves capture is point-in-time: after the snapshot the store is changed heavily (overwrites, deletes, enough
     * inserts to split and merge nodes), and only then is the snapshot written; its bytes must equal those of a
     * replica that stopped at the capture point.
     */
    @Test
    void snapshotWrittenAfterLaterAppliesHoldsTheCapturedState() {
        KvStateMachine machine = new KvStateMachine();
        KvStateMachine stopped = new KvStateMachine();
        for (int i = 0; i < 3_000; i++) {
            byte[] command = put("key" + i, "before").setIdempotencyKey("id-" + i).build().toByteArray();
            machine.apply(1 + i / 10, command);
            stopped.apply(1 + i / 10, command);
        }
        StateMachine.Snapshot snapshot = machine.snapshot();

        for (int i = 0; i < 3_000; i++) {
            apply(machine, 400 + i, i % 2 == 0 ? put("key" + i, "after") : delete("key" + i));
            apply(machine, 400 + i, put("extra" + i, "after").setIdempotencyKey("extra-" + i));
        }

        byte[] written = Commands.write(snapshot);
        assertThat(written).isEqualTo(snapshotBytes(stopped));
        assertThat(Commands.write(snapshot)).as("a snapshot writes the same bytes every time").isEqualTo(written);
        assertThat(Commands.restored(written, CONFIG).get(bytes("key0"))).contains(new Entry(bytes("before"), 1));
    }

    /** The snapshot is written on another thread while the loop thread keeps applying, as the replica will do it. */
    @Test
    void snapshotWritesTheCapturedStateWhileAppliesRunConcurrently() throws Exception {
        KvStateMachine machine = new KvStateMachine();
        for (int i = 0; i < 20_000; i++) {
            apply(machine, i / 100, put("key" + i, "value" + i));
        }
        byte[] expected = snapshotBytes(machine);
        StateMachine.Snapshot snapshot = machine.snapshot();

        CompletableFuture<byte[]> written = CompletableFuture.supplyAsync(() -> Commands.write(snapshot));
        for (int i = 0; i < 20_000; i++) {
            apply(machine, 1_000 + i, i % 3 == 0 ? delete("key" + i) : put("key" + (i * 7 % 30_000), "new"));
        }

        assertThat(written.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
    }

    /** Values larger than the write buffer go straight to the sink; reading them back must work in any chunking. */
    @Test
    void largeValuesRoundTripWhateverTheReadChunking() {
        KvStateMachine machine = new KvStateMachine();
        byte[] large = new byte[200_000];
        Arrays.fill(large, (byte) 7);
        machine.apply(1, put(bytes("large"), large).build().toByteArray());
        apply(machine, 2, put("small", "s"));
        byte[] snapshot = snapshotBytes(machine);

        for (int chunkBytes : new int[] {1, 7, 65_536, 1 << 20}) {
            KvStateMachine copy = new KvStateMachine();
            copy.restore(Commands.source(snapshot, chunkBytes));
            assertThat(copy.get(bytes("large"))).contains(new Entry(large, 1));
            assertThat(snapshotBytes(copy)).isEqualTo(snapshot);
        }
    }

    @Test
    void everyTruncationIsRefused() {
        KvStateMachine machine = new KvStateMachine();
        apply(machine, 1, put("a", "one").setIdempotencyKey("id"));
        apply(machine, 2, put("b", "two"));
        byte[] snapshot = snapshotBytes(machine);

        for (int length = 0; length < snapshot.length; length++) {
            byte[] truncated = Arrays.copyOf(snapshot, length);
            assertThatThrownBy(() -> new KvStateMachine().restore(Commands.source(truncated)))
                    .as("snapshot cut to %d bytes", length)
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void bytesAfterTheEndAreRefused() {
        byte[] snapshot = snapshotBytes(new KvStateMachine());
        byte[] longer = Arrays.copyOf(snapshot, snapshot.length + 1);

        assertThatThrownBy(() -> new KvStateMachine().restore(Commands.source(longer)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void malformedSnapshotsAreRefused() throws IOException {
        byte[] value = bytes("v");
        byte[] print = new byte[RequestFingerprint.BYTES];
        assertRefused(new Crafted().header(0x12345678, 2, 5, 5).keys(0).table(0).end());
        assertRefused(new Crafted().header(SnapshotFormat.MAGIC, 3, 5, 5).keys(0).table(0).end());
        assertRefused(new Crafted().header(SnapshotFormat.MAGIC, 2, 5, 5).keys(0).table(0).writeInt(0).bytes());
        assertRefused(new Crafted().header(SnapshotFormat.MAGIC, 2, 5, -1).keys(0).table(0).end());
        assertRefused(new Crafted().header(SnapshotFormat.MAGIC, 2, -1, 3).keys(0).table(0).end());
        assertRefused(crafted(5).keys(2).entry(bytes("b"), value, 1).entry(bytes("a"), value, 1).table(0).end());
        assertRefused(crafted(5).keys(2).entry(bytes("a"), value, 1).entry(bytes("a"), value, 1).table(0).end());
        assertRefused(crafted(5).keys(1).entry(bytes("a"), value, 6).table(0).end());
        assertRefused(crafted(5).keys(1).entry(bytes("a"), value, 0).table(0).end());
        assertRefused(crafted(5).keys(1).entry(new byte[0], value, 1).table(0).end());
        assertRefused(crafted(5).keys(1).writeInt(-3).bytes());
        assertRefused(crafted(5).keys(1).writeInt(KvStateMachine.KEY_BYTES_MAX + 1).bytes());
        assertRefused(crafted(5).keys(0).table(2).remembered("x", 2, print, value).remembered("x", 3, print, value)
                .end());
        assertRefused(crafted(5).keys(0).table(2).remembered("x", 3, print, value).remembered("y", 2, print, value)
                .end());
        assertRefused(crafted(5).keys(0).table(1).remembered("x", 9, print, value).end());
        assertRefused(crafted(5).keys(0).table(1).remembered("x", 2, new byte[31], value).end());
        // The same crafting, well formed, is accepted: the refusals above are for the reasons they name.
        KvStateMachine accepted = new KvStateMachine();
        accepted.restore(Commands.source(
                crafted(5).keys(2).entry(bytes("a"), value, 1).entry(bytes("b"), value, 5).table(2)
                        .remembered("x", 2, print, value).remembered("y", 2, print, value).end()));
        assertThat(accepted.size()).isEqualTo(2);
        assertThat(accepted.idempotencyTableSize()).isEqualTo(2);
        assertThat(accepted.revision()).isEqualTo(5);
    }

    /** A snapshot written before versions were revisions is refused with a message that says so. */
    @Test
    void aFormatOneSnapshotIsRefusedWithAClearMessage() throws IOException {
        byte[] old = new Crafted().header(SnapshotFormat.MAGIC, 1, 5, 5).keys(0).table(0).end();

        assertThatThrownBy(() -> new KvStateMachine().restore(Commands.source(old)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("format 1");
    }

    /** A refusal says how far the reader got: a truncated snapshot names the offset where its bytes ran out. */
    @Test
    void aRefusalNamesTheOffsetItReached() {
        KvStateMachine machine = new KvStateMachine();
        apply(machine, 1, put("a", "one"));
        byte[] whole = snapshotBytes(machine);
        byte[] cut = Arrays.copyOf(whole, whole.length - 6);

        assertThatThrownBy(() -> new KvStateMachine().restore(Commands.source(cut, 7)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("snapshot ends early (after 52 bytes)");
    }

    @Test
    void aRefusedRestoreLeavesTheStateAsItWas() {
        KvStateMachine machine = new KvStateMachine();
        apply(machine, 1, put("a", "one"));
        byte[] before = snapshotBytes(machine);

        assertThatThrownBy(() -> machine.restore(Commands.source(new byte[] {1, 2, 3})))
                .isInstanceOf(IllegalStateException.class);

        assertThat(snapshotBytes(machine)).isEqualTo(before);
    }

    @Test
    void aSourceThatNeverProducesBytesIsRefusedRatherThanSpunOn() {
        StateMachine.SnapshotSource stuck = (buffer, offset, length) -> 0;

        assertThatThrownBy(() -> new KvStateMachine().restore(stuck)).isInstanceOf(IllegalStateException.class);
    }

    private static void assertRefused(byte[] snapshot) {
        assertThatThrownBy(() -> new KvStateMachine().restore(Commands.source(snapshot)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("snapshot");
    }

    /** A well-formed header whose last command was at slot {@code slotAndRevision} and revision the same. */
    private static Crafted crafted(long slotAndRevision) throws IOException {
        return new Crafted().header(SnapshotFormat.MAGIC, SnapshotFormat.FORMAT_VERSION, slotAndRevision,
                slotAndRevision);
    }

    /** Writes snapshot bytes field by field, so tests can make ones the state machine would never write. */
    private static final class Crafted {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Crafted header(int magic, int version, long lastCommandSlot, long revision) throws IOException {
            out.writeInt(magic);
            out.writeInt(version);
            out.writeLong(lastCommandSlot);
            out.writeLong(revision);
            return this;
        }

        Crafted keys(long count) throws IOException {
            out.writeLong(count);
            return this;
        }

        Crafted entry(byte[] key, byte[] value, long version) throws IOException {
            byteString(key);
            byteString(value);
            out.writeLong(version);
            return this;
        }

        Crafted table(long count) throws IOException {
            out.writeLong(count);
            return this;
        }

        Crafted remembered(String idempotencyKey, long revision, byte[] fingerprint, byte[] result)
                throws IOException {
            byteString(Commands.bytes(idempotencyKey));
            out.writeLong(revision);
            byteString(fingerprint);
            byteString(result);
            return this;
        }

        Crafted writeInt(int value) throws IOException {
            out.writeInt(value);
            return this;
        }

        byte[] end() throws IOException {
            out.writeInt(SnapshotFormat.END_MARKER);
            return bytes();
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }

        private void byteString(byte[] value) throws IOException {
            out.writeInt(value.length);
            out.write(value);
        }
    }
}
