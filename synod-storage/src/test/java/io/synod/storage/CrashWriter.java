package io.synod.storage;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The process {@link SigkillTest} kills: it opens a data dir, continues the log after the last slot it holds, and
 * appends batches of records as fast as it can through the production path (WalStorage, fsync on its own thread,
 * group commit). It prints {@code ack N} once every record up to slot N is durable. Run as
 * {@code CrashWriter DIR SEED}.
 */
public final class CrashWriter {
    private CrashWriter() {}

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        PrintStream out = System.out;
        ExecutorService syncThread = Executors.newSingleThreadExecutor();
        long[] lastSlotOfTicket = new long[1 << 20];
        try (DataDir dataDir = DataDir.open(directory, "crash-test", 1)) {
            WalStorage storage = WalStorage.open(dataDir.disk(),
                    new WalStorage.Options(new Wal.Options(256 * 1024, 1 << 20)),
                    syncThread, null, new WalStorage.Listener() {
                        @Override
                        public void synced(long ticket) {
                            out.println("ack " + lastSlotOfTicket[(int) ticket]);
                            out.flush();
                        }

                        @Override
                        public void snapshotSaved(long slot, long bytes) {
                        }

                        @Override
                        public void failed(RuntimeException failure) {
                            failure.printStackTrace();
                            System.exit(3);
                        }
                    }, line -> out.println("log " + line));
            DurableState state = storage.recover();
            long next = state.accepted().keySet().stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
            out.println("start " + next);
            out.flush();
            for (long ticket = 1; ticket < lastSlotOfTicket.length; ticket++) {
                List<Durable> batch = new ArrayList<>();
                for (int i = 1 + random.nextInt(20); i > 0; i--) {
                    batch.add(Records.accepted(next++));
                }
                storage.append(batch);
                lastSlotOfTicket[(int) ticket] = next - 1;
                storage.sync(ticket);
                if (random.nextInt(8) == 0) {
                    Thread.sleep(1);
                }
            }
        } catch (IOException failure) {
            failure.printStackTrace();
            System.exit(2);
        }
    }
}
