package io.synod.replica.kv;

import java.util.function.Consumer;

/**
 * Lease reads (DESIGN.md §1, {@code linearizable}): a master whose election says it may read locally (its lease has
 * more than the allowed drift left, and it has committed an entry of its own term) answers from its own state once it
 * has applied everything committed when the read arrived. No other node can lead the log while that lease is live, so
 * no write can have been acknowledged anywhere that the master has not committed. Anything else (another node, a
 * lease about to run out, {@code quorum}) goes to the {@code fallback} ordering.
 */
public final class LeaseReads implements ReadOrdering {
    private final ReadOrdering fallback;

    public LeaseReads(ReadOrdering fallback) {
        this.fallback = fallback;
    }

    @Override
    public void order(KvService service, KvService.Host host, KvRequest.Consistency consistency,
            Consumer<KvAnswer.Refusal> then) {
        if (consistency != KvRequest.Consistency.LINEARIZABLE || !host.mastership().mayReadLocally(host.nowMs())) {
            fallback.order(service, host, consistency, then);
            return;
        }
        long committed = host.committedSlot();
        Runnable local = () -> {
            if (host.mastership().mayReadLocally(host.nowMs())) {
                then.accept(null);
            } else {
                fallback.order(service, host, consistency, then); // the lease ran out while the state caught up
            }
        };
        if (host.appliedSlot() >= committed) {
            local.run();
        } else {
            service.whenApplied(committed - 1, local);
        }
    }
}
