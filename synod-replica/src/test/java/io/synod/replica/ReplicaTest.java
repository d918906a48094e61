package io.synod.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.Durable;
import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.core.message.Accept;
import io.synod.core.message.Accepted;
import io.synod.core.message.Envelope;
import io.synod.core.message.Prepare;
import io.synod.core.message.Promise;
import io.synod.core.Ballot;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import io.synod.core.StateMachine;
import io.synod.storage.MemoryStorage;
import org.junit.jupiter.api.Test;

/** The loop's ordering: persist before send, group commit, apply in order, answers after durability. */
class ReplicaTest {
    private final List<Envelope> sent = new ArrayList<>();
    private final MemoryStorage storage = new MemoryStorage(true);
    private final List<String> applied = new ArrayList<>();

    /** Records what it applies; answers "ok SLOT". */
    private final class Recording implements StateMachine {
        @Override
        public byte[] apply(long slot, byte[] command) {
            applied.add(slot + ":" + new String(command));
            return ("ok " + slot).getBytes();
        }

        @Override
        public Snapshot snapshot() {
            List<String> copy = List.copyOf(applied);
            return sink -> {
                byte[] bytes = String.join("\n", copy).getBytes();
                sink.write(bytes, 0, bytes.length);
            };
        }

        @Override
        public void restore(SnapshotSource source) {
            throw new IllegalStateException("not used here");
        }
    }

    private Replica replica(int id) {
        NodeConfig config = NodeConfig.builder(id, List.of(0, 1, 2)).build();
        SplittableRandom random = new SplittableRandom(id);
        Node node = new Node(config, storage.recover(), random.split());
        return new Replica(node, storage, sent::add, new Recording(), random.split());
    }

    @Test
    void aPromiseLeavesOnlyAfterItsRecordIsDurable() {
        Replica replica = replica(0);
        sent.clear();
        replica.receive(10, new Envelope(1, 0, new Prepare(new Ballot(3, 1), 0)));
        assertThat(sent).isEmpty();
        assertThat(replica.hasHeldOutputs()).isTrue();

        long ticket = storage.completeSyncs();
        assertThat(storage.durableRecords()).containsExactly(new Durable.Promised(new Ballot(3, 1)));
        replica.synced(11, ticket);
        assertThat(sent).extracting(Envelope::message).filteredOn(m -> m instanceof Promise).hasSize(1);
    }

    @Test
    void recordsGatheredDuringASyncGoOutInTheNextSingleSync() {
        Replica replica = replica(0);
        replica.receive(10, new Envelope(1, 0, new Prepare(new Ballot(3, 1), 0)));
        // The first sync is running; two accepts arrive meanwhile.
        replica.receive(11, new Envelope(1, 0, new Accept(new Ballot(3, 1), 0, value("a"), 0, 0)));
        replica.receive(12, new Envelope(1, 0, new Accept(new Ballot(3, 1), 1, value("b"), 0, 0)));
        sent.clear();
        assertThat(storage.hasPendingSync()).isTrue();
        long ticket = storage.completeSyncs();
        assertThat(storage.durableRecords()).hasSize(3);
        replica.synced(13, ticket);
        assertThat(sent).extracting(Envelope::message)
                .filteredOn(m -> m instanceof Accepted).hasSize(2);
    }

    @Test
    void aClientIsAnsweredOnlyAfterItsCommandIsChosenDurableAndApplied() {
        MemoryStorage immediate = new MemoryStorage(false);
        List<Outcome> outcomes = new ArrayList<>();
        NodeConfig config = NodeConfig.builder(0, List.of(0)).build();
        SplittableRandom random = new SplittableRandom(1);
        Node node = new Node(config, immediate.recover(), random.split());
        Replica single = new Replica(node, immediate, sent::add, new Recording(), random.split());
        single.propose(1, "x".getBytes(), outcomes::add);
        single.propose(2, "y".getBytes(), outcomes::add);
        assertThat(applied).containsExactly("0:x", "1:y");
        assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Applied.class));
        assertThat(((Outcome.Applied) outcomes.get(1)).slot()).isEqualTo(1);
        assertThat(immediate.durableRecords()).filteredOn(r -> r instanceof Durable.Accepted).hasSize(2);
        assertThat(single.appliedSlot()).isEqualTo(2);
    }

    @Test
    void aCrashLosesUnsyncedRecordsAndRecoveryReplaysTheRest() {
        Replica replica = replica(0);
        replica.receive(10, new Envelope(1, 0, new Prepare(new Ballot(3, 1), 0)));
        replica.synced(11, storage.completeSyncs());
        replica.receive(12, new Envelope(1, 0, new Prepare(new Ballot(5, 2), 0)));
        storage.crash(0);
        assertThat(storage.recover().promised()).isEqualTo(new Ballot(3, 1));
    }

    @Test
    void abandoningAnswersEveryWaitingProposalWithWhyTheNodeStopped() {
        List<Outcome> outcomes = new ArrayList<>();
        Replica full = replica(0);
        full.propose(1, "x".getBytes(), outcomes::add);
        full.propose(2, "y".getBytes(), outcomes::add);
        full.abandonDiskFull();
        assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(o).isEqualTo(new Outcome.DiskFull()));

        outcomes.clear();
        Replica failed = replica(1);
        failed.propose(1, "z".getBytes(), outcomes::add);
        failed.abandon();
        assertThat(outcomes).containsExactly(new Outcome.Unknown());
    }

    private static io.synod.core.Value value(String payload) {
        return io.synod.core.Value.of(new io.synod.core.Command(1, payload.hashCode(), payload.getBytes()));
    }
}
