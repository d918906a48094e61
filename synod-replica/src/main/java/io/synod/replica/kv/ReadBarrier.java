package io.synod.replica.kv;

import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.Noop;
import io.synod.replica.Outcome;
import java.util.function.Consumer;

/**
 * Orders a read by putting a no-op command (a read barrier) through the log and waiting until it is applied here:
 * every write acknowledged before the read began was chosen in an earlier slot, so it is then in the local state.
 * It trusts no clock, and it costs a slot, an fsync on a majority and a round trip, for every read.
 *
 * <p>A barrier whose outcome became unknown (a snapshot from a peer covered its slot) is proposed again: whether it
 * was chosen no longer matters, only that a later one is.
 */
public final class ReadBarrier implements ReadOrdering {
    private static final byte[] BARRIER = KvCommand.newBuilder().setNoop(Noop.getDefaultInstance()).build()
            .toByteArray();
    /** A barrier lost to snapshots this many times in a row gives up. */
    private static final int ATTEMPTS_MAX = 3;

    @Override
    public void order(KvService service, KvService.Host host, KvRequest.Consistency consistency,
            Consumer<KvAnswer.Refusal> then) {
        propose(host, then, 1);
    }

    private static void propose(KvService.Host host, Consumer<KvAnswer.Refusal> then, int attempt) {
        host.propose(BARRIER.clone(), outcome -> {
            switch (outcome) {
                case Outcome.Applied applied -> then.accept(null);
                case Outcome.Rejected rejected -> then.accept(KvService.refusal(rejected.reason()));
                case Outcome.DiskFull full -> then.accept(KvAnswer.Refusal.DISK_FULL);
                case Outcome.Unknown unknown -> {
                    if (attempt < ATTEMPTS_MAX && host.writable()) {
                        propose(host, then, attempt + 1);
                    } else {
                        then.accept(host.writable() ? KvAnswer.Refusal.NO_QUORUM : KvAnswer.Refusal.DISK_FULL);
                    }
                }
            }
        });
    }
}
