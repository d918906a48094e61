package io.synod.replica.kv;

import io.synod.replica.ReadOutcome;
import java.util.function.Consumer;

/**
 * Orders a read with ReadIndex ({@code quorum}, and {@code linearizable} where no lease read is possible): the leader
 * notes its read index and confirms its leadership with one round to a majority, shared by every read waiting at that
 * moment; the read is answered once this node has applied up to that index. Nothing is written to the log.
 */
public final class ReadIndexReads implements ReadOrdering {
    @Override
    public void order(KvService service, KvService.Host host, KvRequest.Consistency consistency,
            Consumer<KvAnswer.Refusal> then) {
        host.readIndex(outcome -> {
            switch (outcome) {
                case ReadOutcome.Indexed indexed -> service.whenApplied(indexed.index() - 1, () -> then.accept(null));
                case ReadOutcome.Refused refused -> then.accept(KvService.refusal(refused.reason()));
                case ReadOutcome.Lost lost -> then.accept(host.writable() ? KvAnswer.Refusal.NO_QUORUM
                        : KvAnswer.Refusal.DISK_FULL);
            }
        });
    }
}
