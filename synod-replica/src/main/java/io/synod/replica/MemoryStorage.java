package io.synod.replica;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Durable storage kept in memory, with explicit sync points: records are "durable" once synced and survive
 * {@link #crash}; unsynced records do not. Used by tests and the simulator until the write-ahead log exists, and as a
 * model of what the real one must do.
 *
 * <p>In immediate mode {@link #sync} completes on return. In deferred mode it returns false and the owner completes
 * syncs later with {@link #completeSyncs()} (then tells the replica), which lets a simulator give fsync a latency.
 */
public final class MemoryStorage implements Storage {
    private final boolean deferred;
    private final List<Durable> synced = new ArrayList<>();
    private final List<Durable> unsynced = new ArrayList<>();
    private final List<Long> pendingTickets = new ArrayList<>();
    private int requestedUpTo;
    private Consumer<Durable> durableListener = record -> {};

    /** @param deferred whether syncs complete later, through {@link #completeSyncs()} */
    public MemoryStorage(boolean deferred) {
        this.deferred = deferred;
    }

    /** Told of each record as it becomes durable, in order (the simulator's checkers listen here). */
    public void onDurable(Consumer<Durable> listener) {
        this.durableListener = listener;
    }

    private void makeDurable(List<Durable> records) {
        for (Durable record : records) {
            synced.add(record);
            durableListener.accept(record);
        }
    }

    @Override
    public void append(List<Durable> records) {
        unsynced.addAll(records);
    }

    @Override
    public boolean sync(long ticket) {
        if (!deferred) {
            makeDurable(unsynced);
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
        makeDurable(done);
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
        makeDurable(unsynced.subList(0, keep));
        unsynced.clear();
        pendingTickets.clear();
        requestedUpTo = 0;
    }

    public int unsyncedCount() {
        return unsynced.size();
    }

    /** Every durable record, in order (for checkers). */
    public List<Durable> durableRecords() {
        return List.copyOf(synced);
    }

    @Override
    public DurableState recover() {
        DurableState state = DurableState.empty();
        for (Durable record : synced) {
            state.replay(record);
        }
        return state;
    }
}
