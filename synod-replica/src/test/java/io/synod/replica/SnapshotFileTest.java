package io.synod.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.synod.core.StateMachine;
import io.synod.kv.KvStateMachine;
import io.synod.kv.proto.Delete;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.Put;
import io.synod.storage.CorruptionException;
import io.synod.storage.NioDisk;
import io.synod.storage.WalStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real key-value state machine's snapshot, in its election envelope, through the real storage and a real file:
 * written on the storage's snapshot thread while the loop thread keeps applying, restored by streaming, and refused,
 * naming the file and offset, when the file is damaged.
 */
class SnapshotFileTest {
    private static final long SLOT = 4_242;

    @TempDir
    Path directory;

    private final ExecutorService snapshotThread = Executors.newSingleThreadExecutor();
    private final List<Long> saved = new ArrayList<>();
    private final CountDownLatch savedLatch = new CountDownLatch(1);
    private final List<RuntimeException> failures = new ArrayList<>();

    private final WalStorage.Listener listener = new WalStorage.Listener() {
        @Override
        public void synced(long ticket) {
        }

        @Override
        public void snapshotSaved(long slot, long bytes) {
            saved.add(bytes);
            savedLatch.countDown();
        }

        @Override
        public void failed(RuntimeException failure) {
            failures.add(failure);
            savedLatch.countDown();
        }
    };

    @AfterEach
    void stop() throws InterruptedException {
        snapshotThread.shutdown();
        assertThat(snapshotThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private WalStorage open() throws IOException {
        return WalStorage.open(new NioDisk(directory), WalStorage.Options.defaults(), null, snapshotThread, listener,
                line -> {});
    }

    private static byte[] put(int key, String value, String idempotencyKey) {
        KvCommand.Builder command = KvCommand.newBuilder().setPut(Put.newBuilder()
                .setKey(ByteString.copyFromUtf8(String.format("key-%06d", key)))
                .setValue(ByteString.copyFromUtf8(value)));
        if (idempotencyKey != null) {
            command.setIdempotencyKey(idempotencyKey);
        }
        return command.build().toByteArray();
    }

    private static byte[] delete(int key) {
        return KvCommand.newBuilder().setDelete(Delete.newBuilder()
                .setKey(ByteString.copyFromUtf8(String.format("key-%06d", key)))).build().toByteArray();
    }

    /** Keys 0..n-1 with 100-byte values, every tenth with an idempotency key; one command per slot from 1. */
    private static void load(KvStateMachine machine, int n) {
        for (int i = 0; i < n; i++) {
            machine.apply(1 + i, put(i, ("v" + i + "-").repeat(40).substring(0, 100), i % 10 == 0 ? "once-" + i : null));
        }
    }

    private static byte[] bytesOf(StateMachine.Snapshot snapshot) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        snapshot.writeTo(out::write);
        return out.toByteArray();
    }

    private static final byte[] ELECTION_STATE = "election state as of the slot".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSnapshotWrittenWhileAppliesContinueRestoresExactlyTheStateAtItsSlot() throws Exception {
        KvStateMachine machine = new KvStateMachine();
        load(machine, 5_000);
        KvStateMachine reference = new KvStateMachine();
        load(reference, 5_000);
        byte[] expected = bytesOf(reference.snapshot());

        // The file write stalls after its first chunk until the loop thread has changed every key: a capture that
        // is not a point-in-time view would write some of the later values.
        CountDownLatch firstChunk = new CountDownLatch(1);
        CountDownLatch changed = new CountDownLatch(1);
        StateMachine.Snapshot captured = machine.snapshot();
        StateMachine.Snapshot stalling = sink -> captured.writeTo((bytes, offset, length) -> {
            sink.write(bytes, offset, length);
            firstChunk.countDown();
            await(changed);
        });
        try (WalStorage storage = open()) {
            storage.recover();
            assertThat(storage.saveSnapshot(SLOT, SnapshotEnvelope.wrap(ELECTION_STATE, stalling))).isEqualTo(-1);
            assertThat(firstChunk.await(10, TimeUnit.SECONDS)).isTrue();
            long slot = 10_000;
            for (int i = 0; i < 5_000; i++) {
                machine.apply(slot++, i % 3 == 0 ? delete(i) : put(i, "changed", i % 10 == 5 ? "later-" + i : null));
            }
            machine.apply(slot, put(999_999, "added after the capture", "added"));
            changed.countDown();
            assertThat(savedLatch.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(failures).isEmpty();
        }
        assertThat(saved).singleElement().satisfies(bytes -> assertThat(bytes).isGreaterThan(500_000L));

        try (WalStorage reopened = open()) {
            assertThat(reopened.recover().snapshotSlot()).isEqualTo(SLOT);
            KvStateMachine restored = new KvStateMachine();
            byte[] election = SnapshotEnvelope.restore(restored, reopened.openSnapshot(SLOT));
            assertThat(election).isEqualTo(ELECTION_STATE);
            assertThat(restored.size()).isEqualTo(5_000);
            assertThat(restored.idempotencyTableSize()).isEqualTo(500);
            assertThat(restored.revision()).isEqualTo(5_000);
            assertThat(bytesOf(restored.snapshot())).isEqualTo(expected);
        }
    }

    @Test
    void theRestoredStoreAnswersARetryWithItsFirstResult() throws Exception {
        KvStateMachine machine = new KvStateMachine();
        byte[] first = machine.apply(1, put(1, "first", "retry-me"));
        try (WalStorage storage = open()) {
            storage.recover();
            storage.saveSnapshot(SLOT, SnapshotEnvelope.wrap(new byte[0], machine.snapshot()));
            assertThat(savedLatch.await(30, TimeUnit.SECONDS)).isTrue();
        }
        try (WalStorage reopened = open()) {
            reopened.recover();
            KvStateMachine restored = new KvStateMachine();
            assertThat(SnapshotEnvelope.restore(restored, reopened.openSnapshot(SLOT))).isEmpty();
            assertThat(restored.apply(2, put(1, "first", "retry-me"))).isEqualTo(first);
            assertThat(restored.revision()).isEqualTo(2);
            assertThat(new String(restored.get("key-000001".getBytes(StandardCharsets.UTF_8)).orElseThrow().value(),
                    StandardCharsets.UTF_8)).isEqualTo("first");
        }
    }

    @Test
    void aDamagedSnapshotFileIsRefusedNamingTheFileAndOffset() throws Exception {
        KvStateMachine machine = new KvStateMachine();
        load(machine, 2_000);
        try (WalStorage storage = open()) {
            storage.recover();
            storage.saveSnapshot(SLOT, SnapshotEnvelope.wrap(ELECTION_STATE, machine.snapshot()));
            assertThat(savedLatch.await(30, TimeUnit.SECONDS)).isTrue();
        }
        Path file;
        try (Stream<Path> files = Files.list(directory)) {
            file = files.filter(p -> p.getFileName().toString().endsWith(".snap")).findFirst().orElseThrow();
        }
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.seek(raw.length() / 2);
            int b = raw.read();
            raw.seek(raw.length() / 2);
            raw.write(b ^ 0x10);
        }
        assertThatThrownBy(this::open).isInstanceOfSatisfying(CorruptionException.class, damaged -> {
            assertThat(damaged.file()).isEqualTo(file.getFileName().toString());
            assertThat(damaged.getMessage()).contains(file.getFileName().toString()).contains("byte offset");
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the loop thread never finished changing the store");
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
