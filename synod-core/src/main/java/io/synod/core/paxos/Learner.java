package io.synod.core.paxos;

import io.synod.core.Durable;
import io.synod.core.Invariants;
import io.synod.core.LogEntry;
import io.synod.core.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What this node knows to be chosen, and how far it has handed values out to be applied.
 *
 * <p>Three indexes, always {@code firstRetained <= handedOut <= committed}:
 * <ul>
 *   <li>{@code committed}: the commit index. Every slot below it is known chosen; slot {@code committed} is not.</li>
 *   <li>{@code handedOut}: every slot below it has been handed out in a Ready to be applied, in slot order (whether
 *       the replica has applied it yet is the replica's business).</li>
 *   <li>{@code firstRetained}: chosen values below it are no longer held in memory (compacted).</li>
 * </ul>
 * Values may be learned out of order (above {@code committed}); they are handed out only once every slot below is known.
 */
public final class Learner {
    private final Outbox outbox;
    private final Map<Long, Value> chosen = new HashMap<>();
    private long committed;
    private long handedOut;
    private long firstRetained;
    private long highestKnown = -1;
    private Listener listener = (slot, value) -> {};

    /** Told of every value the learner learns for the first time, however it was learned. */
    @FunctionalInterface
    public interface Listener {
        void learned(long slot, Value value);
    }

    public Learner(Outbox outbox, long snapshotSlot, Map<Long, Value> recovered) {
        this.outbox = outbox;
        this.committed = snapshotSlot;
        this.handedOut = snapshotSlot;
        this.firstRetained = snapshotSlot;
        for (Map.Entry<Long, Value> entry : recovered.entrySet()) {
            if (entry.getKey() >= snapshotSlot) {
                remember(entry.getKey(), entry.getValue());
            }
        }
        advanceCommitted();
    }

    /**
     * Records that {@code value} is chosen for {@code slot}. Returns true if this is news. Learning the same value again
     * is harmless; learning a different one is the worst bug a consensus protocol can have and stops the node.
     */
    public boolean learn(long slot, Value value) {
        if (slot < firstRetained) {
            return false;
        }
        Value known = chosen.get(slot);
        if (known != null) {
            Invariants.check(known.equals(value),
                    "learner learned two values for slot %d: %s then %s", slot, known, value);
            return false;
        }
        Invariants.check(slot >= committed, "slot %d below commit index %d has no value", slot, committed);
        remember(slot, value);
        outbox.persist(new Durable.Chosen(slot, value));
        advanceCommitted();
        listener.learned(slot, value);
        return true;
    }

    public void setListener(Listener listener) {
        this.listener = listener;
    }

    private void remember(long slot, Value value) {
        chosen.put(slot, value);
        highestKnown = Math.max(highestKnown, slot);
    }

    private void advanceCommitted() {
        while (chosen.containsKey(committed)) {
            committed++;
        }
    }

    public boolean isChosen(long slot) {
        return slot < firstRetained || chosen.containsKey(slot);
    }

    /** The chosen value of {@code slot}, or null if it is not known or no longer retained. */
    public Value chosenValue(long slot) {
        return chosen.get(slot);
    }

    public long committed() {
        return committed;
    }

    public long handedOut() {
        return handedOut;
    }

    public long firstRetained() {
        return firstRetained;
    }

    /** The highest slot known chosen, or -1. */
    public long highestKnown() {
        return Math.max(highestKnown, committed - 1);
    }

    /** Values ready to be handed out, in slot order: slots from {@code handedOut} up to {@code committed}. */
    public List<LogEntry> toApply() {
        List<LogEntry> entries = new ArrayList<>((int) Math.min(committed - handedOut, 1024));
        for (long slot = handedOut; slot < committed; slot++) {
            entries.add(new LogEntry(slot, chosen.get(slot)));
        }
        return entries;
    }

    /** Everything {@link #toApply()} returned was handed out in a Ready. */
    public void markHandedOut(List<LogEntry> entries) {
        for (LogEntry entry : entries) {
            Invariants.check(entry.slot() == handedOut, "slot %d handed out of order, expected %d", entry.slot(),
                    handedOut);
            handedOut++;
        }
        Invariants.check(handedOut <= committed, "handedOut %d beyond commit index %d", handedOut, committed);
    }

    /**
     * Chosen values from {@code fromSlot} on, consecutive and below the commit index, at most {@code maxEntries} of
     * them and at most {@code maxBytes} (but always at least one if any is available).
     */
    public List<LogEntry> range(long fromSlot, int maxEntries, int maxBytes) {
        List<LogEntry> entries = new ArrayList<>();
        int bytes = 0;
        for (long slot = Math.max(fromSlot, firstRetained); slot < committed && entries.size() < maxEntries; slot++) {
            Value value = chosen.get(slot);
            if (!entries.isEmpty() && bytes + value.sizeBytes() > maxBytes) {
                break;
            }
            bytes += value.sizeBytes();
            entries.add(new LogEntry(slot, value));
        }
        return entries;
    }

    /**
     * A snapshot covering every slot below {@code slot} was installed: the state machine now holds their effect, so
     * they count as committed and handed out, and their values are forgotten. Values known above it are kept.
     */
    public void installSnapshot(long slot) {
        Invariants.check(slot > handedOut, "snapshot at %d does not move past handedOut %d", slot, handedOut);
        for (long s = firstRetained; s < Math.min(slot, highestKnown() + 1); s++) {
            chosen.remove(s);
        }
        firstRetained = slot;
        handedOut = slot;
        committed = Math.max(committed, slot);
        advanceCommitted();
    }

    /**
     * Forgets chosen values below {@code slot}, which must not exceed the handed-out index. Called when the log is
     * compacted; a peer that needs those slots must get a snapshot instead.
     */
    public void compactBelow(long slot) {
        Invariants.check(slot <= handedOut, "cannot compact below %d: only %d handed out", slot, handedOut);
        for (long s = firstRetained; s < slot; s++) {
            chosen.remove(s);
        }
        firstRetained = Math.max(firstRetained, slot);
    }
}
