package io.synod.kv;

import io.synod.core.StateMachine;

/**
 * The key-value state captured by {@link KvStateMachine#snapshot()}: frozen views of the keys and of the idempotency
 * table, taken in constant time on the loop thread. {@link #writeTo} encodes them later, on any thread, while the
 * loop keeps applying commands; the views never change, so every call writes the same bytes.
 *
 * <p>The fields are final, so a thread handed this snapshot sees the captured state even without further
 * synchronisation.
 *
 * @param lastCommandSlot the slot of the last command applied before the capture, or -1
 * @param revision the revision of the last command applied before the capture, or 0
 * @param entries the keys, frozen
 * @param idempotency the idempotency table, frozen
 */
record KvSnapshot(long lastCommandSlot, long revision, BTreeMap.View<Entry> entries, IdempotencyTable.View idempotency)
        implements StateMachine.Snapshot {

    /**
     * Writes the captured state in the format {@link SnapshotFormat} describes. May block on the sink; exceptions
     * the sink throws pass through.
     */
    @Override
    public void writeTo(StateMachine.SnapshotSink sink) {
        SnapshotFormat.write(this, sink);
    }
}
