package io.synod.storage;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.StateMachine;
import java.util.List;

/**
 * Where a replica keeps its {@link Durable} records and its snapshots. The replica loop is its only caller, on the
 * loop's one thread; slow work (fsync, writing a large snapshot) may run on other threads, and its completion comes
 * back to the loop as a call on the replica.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #append} adds records after every earlier one and returns without waiting for them to be durable.</li>
 *   <li>{@link #sync} asks that every record appended so far be made durable. If it returns true they are durable on
 *       return. If it returns false the sync runs elsewhere, and its completion comes back to the loop as
 *       {@code Replica.synced(ticket)}, tickets in increasing order.</li>
 *   <li>A storage that cannot make records durable (a failed fsync) never reports success for them; it throws
 *       {@link StorageFailure}, and the node stops. A node never carries on past a failed sync.</li>
 *   <li>A storage that cannot append because the disk is full throws {@link DiskFullException} and keeps everything
 *       written before intact; nothing of the refused batch is durable.</li>
 *   <li>{@link #recover} rebuilds the state from durable records and the newest durable snapshot only: anything
 *       appended but not synced may be lost, in whole or as a suffix. A damaged record that is followed by good ones
 *       is corruption: it throws {@link CorruptionException} naming the file and offset, and the node must not start.</li>
 * </ul>
 */
public interface Storage {
    /** Appends records, in order, after all earlier ones. */
    void append(List<Durable> records);

    /**
     * Requests that all records appended so far become durable.
     *
     * @param ticket increases by one with each call
     * @return true if they are durable on return; false if completion will be reported with {@code Replica.synced}
     */
    boolean sync(long ticket);

    /** Replays the newest snapshot's position and every durable record after it. */
    DurableState recover();

    /**
     * Writes {@code snapshot}, the state machine's state with every slot below {@code slot} applied, durably: to a
     * temporary file, synced, renamed into place, directory synced, checksummed.
     *
     * @return its size in bytes if it is durable on return, or -1 if completion will be reported with
     *     {@code Replica.snapshotSaved(slot, bytes)}
     */
    long saveSnapshot(long slot, StateMachine.Snapshot snapshot);

    /** Up to {@code maxBytes} bytes of the durable snapshot at {@code slot} from {@code offset}; null if it is gone. */
    byte[] readSnapshot(long slot, long offset, int maxBytes);

    /** Writes a chunk of a snapshot being received from a peer; chunks come in offset order from 0. */
    void writeSnapshotChunk(long slot, long offset, byte[] data);

    /**
     * The snapshot being received at {@code slot} is complete at {@code totalBytes}: verifies its checksum and, if it
     * is newer than the newest durable snapshot, makes it durable as the newest (an older one is discarded: records
     * below the newest may already be compacted away, so going back would lose them). Returns false (and discards
     * it) if it is damaged.
     */
    boolean finishSnapshot(long slot, long totalBytes);

    /** The state bytes of the durable snapshot at {@code slot}, for {@link StateMachine#restore}. */
    StateMachine.SnapshotSource openSnapshot(long slot);

    /**
     * Every record that concerns only slots below {@code retainFrom}, and every snapshot older than the newest one at
     * or below it, may be deleted. The newest snapshot and the acceptor's promise are always kept.
     */
    void compact(long retainFrom);
}
