package io.synod.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.Ballot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Storage the replica uses: group commit off the loop thread, recovery, and what happens when the disk fails. */
class WalStorageTest {
    @TempDir
    Path directory;

    private final ExecutorService syncThread = Executors.newSingleThreadExecutor();
    private final List<Long> synced = new CopyOnWriteArrayList<>();
    private final List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    private final List<String> log = new ArrayList<>();

    private final WalStorage.Listener listener = new WalStorage.Listener() {
        @Override
        public void synced(long ticket) {
            synced.add(ticket);
        }

        @Override
        public void snapshotSaved(long slot, long bytes) {
        }

        @Override
        public void failed(RuntimeException failure) {
            failures.add(failure);
        }
    };

    @AfterEach
    void stop() throws InterruptedException {
        syncThread.shutdown();
        assertThat(syncThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private WalStorage open(Disk disk) throws IOException {
        return WalStorage.open(disk, WalStorage.Options.defaults(), syncThread, null, listener, log::add);
    }

    private void awaitSynced(long ticket) throws InterruptedException {
        for (int i = 0; i < 500 && !synced.contains(ticket) && failures.isEmpty(); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void syncsRunOffTheCallingThreadAndReportTicketsInOrder() throws Exception {
        try (WalStorage storage = open(new NioDisk(directory))) {
            assertThat(storage.recover().promised()).isEqualTo(Ballot.ZERO);
            for (long ticket = 1; ticket <= 20; ticket++) {
                storage.append(List.of(Records.accepted(ticket)));
                assertThat(storage.sync(ticket)).isFalse();
            }
            awaitSynced(20);
            assertThat(synced).isSorted().doesNotHaveDuplicates().endsWith(20L);
        }
        try (WalStorage reopened = open(new NioDisk(directory))) {
            DurableState state = reopened.recover();
            assertThat(state.accepted()).hasSize(20);
            assertThat(state.promised()).isEqualTo(new Ballot(3, 1));
        }
    }

    @Test
    void syncRequestsDuringAnFsyncShareTheNextOne() throws Exception {
        ForwardingDisk slow = new ForwardingDisk(new NioDisk(directory)) {
            @Override
            protected void beforeForce(String file) throws IOException {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (WalStorage storage = open(slow)) {
            storage.recover();
            for (long ticket = 1; ticket <= 30; ticket++) {
                storage.append(List.of(Records.accepted(ticket)));
                storage.sync(ticket);
            }
            awaitSynced(30);
            assertThat(synced).as("30 requests made durable by a few fsync rounds").hasSizeLessThanOrEqualTo(3)
                    .endsWith(30L);
        }
        try (WalStorage reopened = open(new NioDisk(directory))) {
            assertThat(reopened.recover().accepted()).hasSize(30);
        }
    }

    @Test
    void aFullDiskRefusesTheBatchKeepsEverythingBeforeAndRecoversWhenSpaceReturns() throws Exception {
        FaultyDisk disk = new FaultyDisk(new NioDisk(directory));
        try (WalStorage storage = open(disk)) {
            storage.recover();
            storage.append(List.of(Records.accepted(1)));
            storage.sync(1);
            awaitSynced(1);
            disk.spaceLeft = 50;
            assertThatThrownBy(() -> storage.append(List.of(Records.accepted(2), Records.accepted(3))))
                    .isInstanceOf(DiskFullException.class);
        }
        disk.spaceLeft = Long.MAX_VALUE; // space returns; the node reopens its data dir
        try (WalStorage storage = open(disk)) {
            DurableState state = storage.recover();
            assertThat(state.accepted()).containsOnlyKeys(1L);
            assertThat(log).isEmpty(); // the refused batch left no partial record to cut
            storage.append(List.of(Records.accepted(2)));
            storage.sync(1);
            awaitSynced(1);
        }
        try (WalStorage storage = open(disk)) {
            assertThat(storage.recover().accepted()).containsOnlyKeys(1L, 2L);
        }
    }

    @Test
    void aFailedFsyncIsReportedAndNeverAcknowledged() throws Exception {
        FaultyDisk disk = new FaultyDisk(new NioDisk(directory));
        try (WalStorage storage = open(disk)) {
            storage.recover();
            disk.failNextForce = true;
            storage.append(List.of(Records.accepted(1)));
            storage.sync(1);
            for (int i = 0; i < 500 && failures.isEmpty(); i++) {
                Thread.sleep(10);
            }
            assertThat(failures).singleElement().isInstanceOf(StorageFailure.class)
                    .extracting(Throwable::getMessage).asString().contains("fsync failed");
            assertThat(synced).doesNotContain(1L);
        }
    }

    @Test
    void inlineSyncIsDurableOnReturn() throws IOException {
        try (WalStorage storage = WalStorage.open(new NioDisk(directory), WalStorage.Options.defaults(), null, null,
                listener, log::add)) {
            storage.recover();
            storage.append(List.of(new Durable.Promised(new Ballot(4, 0))));
            assertThat(storage.sync(1)).isTrue();
        }
    }
}
