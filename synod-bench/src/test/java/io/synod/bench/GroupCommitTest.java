package io.synod.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.storage.Disk;
import io.synod.storage.ForwardingDisk;
import io.synod.storage.NioDisk;
import io.synod.storage.Wal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many appenders, one fsync per round: every acknowledged record is in the log; a failed sync fails everyone. */
class GroupCommitTest {
    @TempDir
    Path directory;

    /** A real disk whose next fsync can be made to fail. */
    private static final class FaultyDisk extends ForwardingDisk {
        volatile boolean failNextForce;

        FaultyDisk(Disk real) {
            super(real);
        }

        @Override
        protected void beforeForce(String file) throws IOException {
            if (failNextForce) {
                failNextForce = false;
                throw new IOException("fsync failed (test)");
            }
        }
    }

    private static Durable chosen(long slot) {
        return new Durable.Chosen(slot, Value.of(new Command(1, slot, ("slot-" + slot).getBytes())));
    }

    @Test
    void concurrentAppendersAllBecomeDurable() throws Exception {
        NioDisk disk = new NioDisk(directory);
        try (Wal wal = Wal.open(disk, Wal.Options.defaults(), r -> { }, l -> { });
                GroupCommit commit = new GroupCommit(wal, 64)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 100; i++) {
                        try {
                            commit.append(chosen(thread * 1_000L + i)).get(10, TimeUnit.SECONDS);
                        } catch (Exception failure) {
                            throw new AssertionError(failure);
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
        List<Durable> replayed = new ArrayList<>();
        try (Wal reopened = Wal.open(disk, Wal.Options.defaults(), replayed::add, l -> { })) {
            assertThat(replayed).hasSize(1_600).doesNotHaveDuplicates();
        }
    }

    @Test
    void aFailedSyncFailsThatRoundAndEveryLaterAppend() throws Exception {
        FaultyDisk disk = new FaultyDisk(new NioDisk(directory));
        try (Wal wal = Wal.open(disk, new Wal.Options(1 << 20, 1 << 20), r -> { }, l -> { });
                GroupCommit commit = new GroupCommit(wal, 64)) {
            commit.append(chosen(1)).get(10, TimeUnit.SECONDS);
            disk.failNextForce = true;
            CompletableFuture<Void> failed = commit.append(chosen(2));
            assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
            CompletableFuture<Void> later = commit.append(chosen(3));
            assertThatThrownBy(later::join).isInstanceOf(CompletionException.class);
        }
    }
}
