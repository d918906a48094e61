package io.synod.storage;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.StateMachine;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Durable storage kept in memory, with explicit sync points: records are "durable" once synced and survive
 * {@link #crash}; unsynced records do not. Snapshots are durable as soon as they are saved. A test fixture (in
 * synod-storage's test-jar) for other modules' unit tests, and the simplest model of what the write-ahead log must do.
 *
 * <p>In immediate mode {@link #sync} completes on return. In deferred mode it returns false and the owner completes
 * syncs later with {@link #completeSyncs()} (then tells the replica).
 */
public final class MemoryStorage implements Storage {
    private final boolean deferred;
    private final List<Durable> synced = new ArrayList<>();
    private final List<Durable> unsynced = new ArrayList<>();
    private final List<Long> pendingTickets = new ArrayList<>();
    private int requestedUpTo;
    private long snapshotSlot;
    private byte[] snapshot;
    private ByteArrayOutputStream receiving;

    /** @param deferred whether syncs complete later, through {@link #completeSyncs()} */
    public MemoryStorage(boolean deferred) {
        this.deferred = deferred;
    }

    @Override
    public void append(List<Durable> records) {
        unsynced.addAll(records);
    }

    @Override
    public boolean sync(long ticket) {
        if (!deferred) {
            synced.addAll(unsynced);
            unsynced.clear();
            return true;
        }
        requestedUpTo = unsynced.size();
        pendingTickets.add(ticket);
        return false;
    }

    /**
     * Completes every requested sync: records appended before the last request become durable. Returns the highest
     * completed ticket, or -1 if none was pending.
     */
    public long completeSyncs() {
        if (pendingTickets.isEmpty()) {
            return -1;
        }
        List<Durable> done = unsynced.subList(0, requestedUpTo);
        synced.addAll(done);
        done.clear();
        requestedUpTo = 0;
        long last = pendingTickets.get(pendingTickets.size() - 1);
        pendingTickets.clear();
        return last;
    }

    public boolean hasPendingSync() {
        return !pendingTickets.isEmpty();
    }

    /**
     * Loses what a crash loses: every unsynced record but the first {@code keepUnsynced} (a torn tail keeps a prefix
     * of what was written but not synced). Pending syncs never complete.
     */
    public void crash(int keepUnsynced) {
        int keep = Math.max(0, Math.min(keepUnsynced, unsynced.size()));
        synced.addAll(unsynced.subList(0, keep));
        unsynced.clear();
        pendingTickets.clear();
        requestedUpTo = 0;
        receiving = null;
    }

    /** Every durable record, in order (for checkers). */
    public List<Durable> durableRecords() {
        return List.copyOf(synced);
    }

    @Override
    public DurableState recover() {
        DurableState state = DurableState.empty();
        state.startAfterSnapshot(snapshotSlot, snapshot == null ? 0 : snapshot.length);
        for (Durable record : synced) {
            state.replay(record);
        }
        return state;
    }

    @Override
    public long saveSnapshot(long slot, StateMachine.Snapshot captured) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        captured.writeTo(bytes::write);
        snapshot = bytes.toByteArray();
        snapshotSlot = slot;
        return snapshot.length;
    }

    @Override
    public byte[] readSnapshot(long slot, long offset, int maxBytes) {
        if (snapshot == null || slot != snapshotSlot || offset > snapshot.length) {
            return null;
        }
        int from = (int) offset;
        return Arrays.copyOfRange(snapshot, from, Math.min(snapshot.length, from + maxBytes));
    }

    @Override
    public void writeSnapshotChunk(long slot, long offset, byte[] data) {
        if (offset == 0) {
            receiving = new ByteArrayOutputStream();
        }
        if (receiving == null || receiving.size() != offset) {
            throw new IllegalStateException("snapshot chunk at " + offset + " out of order");
        }
        receiving.write(data, 0, data.length);
    }

    @Override
    public boolean finishSnapshot(long slot, long totalBytes) {
        if (receiving == null || receiving.size() != totalBytes) {
            receiving = null;
            return false;
        }
        if (slot > snapshotSlot) {
            snapshot = receiving.toByteArray();
            snapshotSlot = slot;
        }
        receiving = null;
        return true;
    }

    @Override
    public StateMachine.SnapshotSource openSnapshot(long slot) {
        byte[] bytes = slot == snapshotSlot && snapshot != null ? snapshot : new byte[0];
        int[] position = {0};
        return (buffer, offset, length) -> {
            if (position[0] >= bytes.length) {
                return -1;
            }
            int n = Math.min(length, bytes.length - position[0]);
            System.arraycopy(bytes, position[0], buffer, offset, n);
            position[0] += n;
            return n;
        };
    }

    @Override
    public void compact(long retainFrom) {
        synced.removeIf(record -> switch (record) {
            case Durable.Accepted a -> a.slot() < retainFrom;
            case Durable.Chosen c -> c.slot() < retainFrom;
            case Durable.Promised p -> false;
        });
    }
}
