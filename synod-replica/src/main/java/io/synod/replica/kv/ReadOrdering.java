package io.synod.replica.kv;

import java.util.function.Consumer;

/**
 * How a {@code linearizable} or {@code quorum} read is ordered against writes: the strategy tells the service when
 * this node's state holds every write acknowledged, anywhere in the cluster, before the read began. The read is then
 * answered from the local state.
 *
 * <p>Contract: called by {@link KvService} on the replica loop's thread, after it checked that the node is writable
 * and can reach a majority. {@code then} is called exactly once, on the same thread, now or later, with null when
 * the read may be answered, or with the refusal that ends it. It never blocks. An implementation that calls
 * {@code then} with null before the read is ordered breaks linearizability (the simulator's checker catches that).
 */
public interface ReadOrdering {
    /**
     * Orders one read through {@code host}; calls {@code then} as the contract says. {@code service} offers
     * {@link KvService#whenApplied} to wait for the state to reach an index.
     */
    void order(KvService service, KvService.Host host, KvRequest.Consistency consistency,
            Consumer<KvAnswer.Refusal> then);
}
