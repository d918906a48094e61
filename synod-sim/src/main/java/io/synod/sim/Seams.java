package io.synod.sim;

import io.synod.kv.KvStateMachine;
import io.synod.kv.KvStore;
import io.synod.replica.kv.ReadBarrier;
import io.synod.replica.kv.ReadOrdering;
import java.util.function.Supplier;

/**
 * Where a test may swap a part of a simulated node for another: how each node's store is built around the real
 * {@link KvStateMachine}, and how reads are ordered. {@link #REAL} is what the server runs. Planted-bug tests put a
 * decorator or a wrong strategy here, so the bug lives in test code, never in the protocol's.
 *
 * @param stores builds a node's store from the real one (the identity, or a decorator)
 * @param readOrdering makes a node's read-ordering strategy, once per process start
 */
public record Seams(StoreFactory stores, Supplier<ReadOrdering> readOrdering) {
    /** Builds the store a node runs, given its id and the real state machine. */
    @FunctionalInterface
    public interface StoreFactory {
        KvStore make(int nodeId, KvStateMachine real);
    }

    /** The production parts: the real store, reads ordered by a barrier through the log. */
    public static final Seams REAL = new Seams((nodeId, real) -> real, ReadBarrier::new);

    public Seams withStores(StoreFactory factory) {
        return new Seams(factory, readOrdering);
    }

    public Seams withReadOrdering(Supplier<ReadOrdering> factory) {
        return new Seams(stores, factory);
    }
}
