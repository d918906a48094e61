package io.synod.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.StateMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot files: durable publication, checksums on load and on transfer, newest wins. */
class SnapshotStoreTest {
    @TempDir
    Path directory;

    private final List<String> log = new ArrayList<>();

    private SnapshotStore open() throws IOException {
        return SnapshotStore.open(new NioDisk(directory), log::add);
    }

    private static StateMachine.Snapshot text(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return sink -> sink.write(bytes, 0, bytes.length);
    }

    private static String read(StateMachine.SnapshotSource source) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[7];
        for (int n = source.read(buffer, 0, buffer.length); n >= 0; n = source.read(buffer, 0, buffer.length)) {
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSavedSnapshotIsTheNewestAfterReopeningAndOlderOnesAreGone() throws IOException {
        SnapshotStore store = open();
        store.save(10, text("state at ten"));
        long size = store.save(25, text("state at twenty-five"));
        SnapshotStore reopened = open();
        assertThat(reopened.newest()).isEqualTo(new SnapshotStore.Newest(25, size));
        assertThat(read(reopened.open(25))).isEqualTo("state at twenty-five");
        assertThat(reopened.files()).containsExactly(SnapshotStore.fileName(25));
    }

    @Test
    void aDamagedSnapshotStopsTheNodeNamingTheFile() throws IOException {
        open().save(10, text("state at ten"));
        WalTest.flipByte(directory.resolve(SnapshotStore.fileName(10)), 20);
        assertThatThrownBy(this::open).isInstanceOf(CorruptionException.class)
                .hasMessageContaining(SnapshotStore.fileName(10));
    }

    @Test
    void unfinishedSnapshotFilesAreRemovedOnOpen() throws IOException {
        Files.write(directory.resolve(SnapshotStore.fileName(5) + ".tmp"), new byte[] {1, 2, 3});
        SnapshotStore store = open();
        assertThat(store.newest().slot()).isZero();
        assertThat(store.files()).isEmpty();
        assertThat(log).singleElement().asString().contains("unfinished");
    }

    @Test
    void aTransferredSnapshotIsCheckedAndInstalledByteForByte() throws IOException {
        SnapshotStore source = open();
        long size = source.save(40, text("x".repeat(5_000)));
        Path other = Files.createDirectory(directory.resolve("other"));
        SnapshotStore target = SnapshotStore.open(new NioDisk(other), log::add);
        for (long offset = 0; offset < size; offset += 1_000) {
            target.receive(40, offset, source.read(40, offset, 1_000));
        }
        assertThat(target.finishReceive(40, size, log::add)).isTrue();
        assertThat(read(target.open(40))).isEqualTo("x".repeat(5_000));
    }

    @Test
    void aDamagedTransferIsRejectedAndTheOldSnapshotKept() throws IOException {
        SnapshotStore source = open();
        long size = source.save(40, text("y".repeat(3_000)));
        Path other = Files.createDirectory(directory.resolve("other"));
        SnapshotStore target = SnapshotStore.open(new NioDisk(other), log::add);
        target.save(12, text("old"));
        byte[] all = source.read(40, 0, (int) size);
        all[100] ^= 1;
        target.receive(40, 0, all);
        assertThat(target.finishReceive(40, size, log::add)).isFalse();
        assertThat(target.newest().slot()).isEqualTo(12);
        assertThat(log).anySatisfy(line -> assertThat(line).contains("checksum"));
    }

    @Test
    void aReceivedSnapshotOlderThanTheNewestIsDiscarded() throws IOException {
        SnapshotStore source = open();
        long size = source.save(8, text("older"));
        Path other = Files.createDirectory(directory.resolve("other"));
        SnapshotStore target = SnapshotStore.open(new NioDisk(other), log::add);
        target.save(30, text("newer"));
        target.receive(8, 0, source.read(8, 0, (int) size));
        assertThat(target.finishReceive(8, size, log::add)).isTrue();
        assertThat(target.newest().slot()).isEqualTo(30);
        assertThat(read(target.open(30))).isEqualTo("newer");
    }
}
