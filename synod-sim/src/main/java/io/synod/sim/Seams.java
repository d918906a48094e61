package io.synod.sim;

import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.kv.KvStateMachine;
import io.synod.kv.KvStore;
import io.synod.replica.kv.LeaseReads;
import io.synod.replica.kv.ReadIndexReads;
import io.synod.replica.kv.ReadOrdering;
import io.synod.storage.Disk;
import io.synod.storage.RecordCheck;
import io.synod.storage.Storage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where a test may swap a part of a simulated node for another. {@link #REAL} is what the server runs. Planted-bug
 * tests put a decorator or a wrong strategy here, so every planted bug lives in test code, never in a protocol,
 * storage or replica class.
 *
 * @param stores builds a node's store from the real one (the identity, or a decorator)
 * @param readOrdering makes a node's read-ordering strategy, once per process start
 * @param disks wraps a node's simulated disk (a disk whose fsync does nothing, say)
 * @param storages wraps the storage as the replica sees it, outside the checkers' view of it (a storage that reports
 *     syncs before they happen, or drops records, breaks the node's contract, not the storage's)
 * @param recordCheck how the write-ahead log tells intact records from damaged ones on recovery
 * @param parts the node's replaceable protocol parts, from its configuration
 */
public record Seams(StoreFactory stores, Supplier<ReadOrdering> readOrdering, DiskFactory disks,
        StorageFactory storages, RecordCheck recordCheck, Function<NodeConfig, Node.Parts> parts) {
    /** Builds the store a node runs, given its id and the real state machine. */
    @FunctionalInterface
    public interface StoreFactory {
        KvStore make(int nodeId, KvStateMachine real);
    }

    /** Wraps node {@code nodeId}'s disk. */
    @FunctionalInterface
    public interface DiskFactory {
        Disk make(int nodeId, Disk real);
    }

    /** Wraps node {@code nodeId}'s storage as its replica sees it. */
    @FunctionalInterface
    public interface StorageFactory {
        Storage make(int nodeId, Storage real);
    }

    /**
     * The production parts: the real store, lease reads on the master and ReadIndex reads otherwise, the real disk and
     * storage.
     */
    public static final Seams REAL = new Seams((nodeId, real) -> real, () -> new LeaseReads(new ReadIndexReads()), (nodeId, real) -> real,
            (nodeId, real) -> real, RecordCheck.CRC32C, Node.Parts::production);

    public Seams withStores(StoreFactory factory) {
        return new Seams(factory, readOrdering, disks, storages, recordCheck, parts);
    }

    public Seams withReadOrdering(Supplier<ReadOrdering> factory) {
        return new Seams(stores, factory, disks, storages, recordCheck, parts);
    }

    public Seams withDisks(DiskFactory factory) {
        return new Seams(stores, readOrdering, factory, storages, recordCheck, parts);
    }

    public Seams withStorages(StorageFactory factory) {
        return new Seams(stores, readOrdering, disks, factory, recordCheck, parts);
    }

    public Seams withRecordCheck(RecordCheck check) {
        return new Seams(stores, readOrdering, disks, storages, check, parts);
    }

    public Seams withParts(Function<NodeConfig, Node.Parts> factory) {
        return new Seams(stores, readOrdering, disks, storages, recordCheck, factory);
    }
}
