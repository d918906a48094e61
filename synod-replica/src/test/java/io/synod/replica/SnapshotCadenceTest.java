package io.synod.replica;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.synod.core.DurableState;
import io.synod.core.Durable;
import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.core.StateMachine;
import io.synod.kv.KvStateMachine;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.Put;
import io.synod.storage.MemoryStorage;
import io.synod.storage.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The replica takes a snapshot exactly when its policy says one pays, with the real key-value state machine. */
class SnapshotCadenceTest {
    private static final int MIN_LOG_BYTES = 2_000;

    /** A snapshot the replica had the storage write: its slot and size. */
    private record Taken(long slot, long bytes) {}

    /** The in-memory storage, recording every snapshot it is asked to save. */
    private static final class Recording implements Storage {
        private final MemoryStorage delegate = new MemoryStorage(false);
        private final List<Taken> taken = new ArrayList<>();

        @Override
        public void append(List<Durable> records) {
            delegate.append(records);
        }

        @Override
        public boolean sync(long ticket) {
            return delegate.sync(ticket);
        }

        @Override
        public DurableState recover() {
            return delegate.recover();
        }

        @Override
        public long saveSnapshot(long slot, StateMachine.Snapshot snapshot) {
            long bytes = delegate.saveSnapshot(slot, snapshot);
            taken.add(new Taken(slot, bytes));
            return bytes;
        }

        @Override
        public byte[] readSnapshot(long slot, long offset, int maxBytes) {
            return delegate.readSnapshot(slot, offset, maxBytes);
        }

        @Override
        public void writeSnapshotChunk(long slot, long offset, byte[] data) {
            delegate.writeSnapshotChunk(slot, offset, data);
        }

        @Override
        public boolean finishSnapshot(long slot, long totalBytes) {
            return delegate.finishSnapshot(slot, totalBytes);
        }

        @Override
        public StateMachine.SnapshotSource openSnapshot(long slot) {
            return delegate.openSnapshot(slot);
        }

        @Override
        public void compact(long retainFrom) {
            delegate.compact(retainFrom);
        }
    }

    private static byte[] put(int key) {
        return KvCommand.newBuilder().setPut(Put.newBuilder()
                .setKey(ByteString.copyFromUtf8(String.format("k%08d", key)))
                .setValue(ByteString.copyFromUtf8("v".repeat(100)))).build().toByteArray();
    }

    private static List<Taken> run(SnapshotPolicy policy, int commands) {
        Recording storage = new Recording();
        NodeConfig config = NodeConfig.builder(0, List.of(0)).election("none").build();
        SplittableRandom random = new SplittableRandom(3);
        Node node = new Node(config, storage.recover(), random.split());
        Replica replica = new Replica(node, storage, envelope -> { }, new KvStateMachine(), random.split(),
                new Replica.Options(policy, 0));
        for (int i = 0; i < commands; i++) {
            replica.propose(1 + i, put(i), outcome -> assertThat(outcome).isInstanceOf(Outcome.Applied.class));
        }
        assertThat(replica.appliedSlot()).isEqualTo(commands);
        return storage.taken;
    }

    @Test
    void eachSnapshotComesAtTheFirstSlotWhoseLogIsAsLargeAsTheLastSnapshot() {
        List<Taken> taken = run(new SnapshotPolicy(1.0, MIN_LOG_BYTES, 0), 2_000);
        long slotBytes = SnapshotPolicy.SLOT_OVERHEAD_BYTES + put(0).length; // one command a slot
        long previousSlot = 0;
        long previousBytes = 0;
        for (Taken snapshot : taken) {
            long threshold = Math.max(MIN_LOG_BYTES, previousBytes);
            long slots = snapshot.slot() - previousSlot;
            assertThat(slots * slotBytes).as("log before %s", snapshot).isGreaterThanOrEqualTo(threshold);
            assertThat((slots - 1) * slotBytes).as("due earlier than %s", snapshot).isLessThan(threshold);
            previousSlot = snapshot.slot();
            previousBytes = snapshot.bytes();
        }
        // The snapshots double as the store grows: a handful for 2,000 slots, not one every few dozen.
        assertThat(taken).hasSizeBetween(4, 8);
    }

    @Test
    void theSlotBoundCapsTheIntervalAndNeverTakesNone() {
        List<Taken> capped = run(new SnapshotPolicy(1.0, MIN_LOG_BYTES, 100), 1_000);
        long previous = 0;
        for (Taken snapshot : capped) {
            assertThat(snapshot.slot() - previous).as("slots before %s", snapshot).isBetween(1L, 100L);
            previous = snapshot.slot();
        }
        assertThat(capped.getLast().slot()).isGreaterThan(900);
        assertThat(run(SnapshotPolicy.everySlots(250), 1_000)).extracting(Taken::slot)
                .containsExactly(250L, 500L, 750L, 1_000L);
        assertThat(run(SnapshotPolicy.NEVER, 500)).isEmpty();
    }
}
