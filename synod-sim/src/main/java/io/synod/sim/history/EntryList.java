package io.synod.sim.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The entries {@link KeySearch} walks, in two doubly linked lists. The main list holds, for every operation of known
 * outcome, a call entry at its invocation time and a return entry at its completion time, sorted by time; at equal
 * times calls come before returns (so operations that touch at one instant count as concurrent), then entries are in
 * operation id order. The second list holds one call entry for every operation of unknown outcome, in invocation
 * order: those have no return (it would be at +infinity), so keeping them apart spares the walk over the main list
 * from passing them again and again. Placing an operation lifts its entries out; backing up puts them back, in the
 * reverse order of lifting.
 */
final class EntryList {
    /** One operation's call or return. */
    static final class Entry {
        /** The operation. */
        final Operation operation;
        /** The operation's index among those of its outcome class (known or unknown), for the memo's bit sets. */
        final int index;
        /** Whether this is the call (else the return). */
        final boolean call;
        /** The operation's version ceiling ({@link RegisterModel#versionCeiling}). */
        final long ceiling;
        /** When the entry happens: the invocation time of a call, the completion time of a return. */
        final long time;
        Entry match;
        Entry previous;
        Entry next;

        private Entry(Operation operation, int index, boolean call, long time) {
            this.operation = operation;
            this.index = index;
            this.call = call;
            this.time = time;
            this.ceiling = operation == null ? Long.MAX_VALUE : RegisterModel.versionCeiling(operation);
        }
    }

    private final Entry head = new Entry(null, -1, true, Long.MIN_VALUE);
    private final Entry unknownHead = new Entry(null, -1, true, Long.MIN_VALUE);

    /** Builds the lists of {@code operations}' entries, all present. */
    EntryList(List<Operation> operations) {
        List<Entry> entries = new ArrayList<>(2 * operations.size());
        List<Entry> unknownCalls = new ArrayList<>();
        int definiteCount = 0;
        int unknownCount = 0;
        for (Operation operation : operations) {
            if (operation.isUnknown()) {
                unknownCalls.add(new Entry(operation, unknownCount++, true, operation.invokeTime()));
                continue;
            }
            int index = definiteCount++;
            Entry call = new Entry(operation, index, true, operation.invokeTime());
            Entry returned = new Entry(operation, index, false, operation.completeTime());
            call.match = returned;
            returned.match = call;
            entries.add(call);
            entries.add(returned);
        }
        Comparator<Entry> order = Comparator.comparingLong((Entry entry) -> entry.time)
                .thenComparing(entry -> !entry.call)
                .thenComparingInt(entry -> entry.operation.id());
        entries.sort(order);
        unknownCalls.sort(order);
        chain(head, entries);
        chain(unknownHead, unknownCalls);
    }

    private static void chain(Entry head, List<Entry> entries) {
        Entry last = head;
        for (Entry entry : entries) {
            last.next = entry;
            entry.previous = last;
            last = entry;
        }
    }

    /** Returns the first entry still in the main list, or null if every operation of known outcome is placed. */
    Entry first() {
        return head.next;
    }

    /** Returns the first unknown-outcome call still in the second list, or null if there is none. */
    Entry firstUnknown() {
        return unknownHead.next;
    }

    /** Returns the first return entry still in the main list, or null if it is empty. */
    Entry firstReturn() {
        Entry entry = head.next;
        while (entry != null && entry.call) {
            entry = entry.next;
        }
        return entry;
    }

    /** Takes a call entry, and its return entry if it has one, out of the lists. */
    void lift(Entry call) {
        unlink(call);
        if (call.match != null) {
            unlink(call.match);
        }
    }

    /** Puts back a call entry and its return entry where they were; the caller undoes lifts in reverse order. */
    void unlift(Entry call) {
        if (call.match != null) {
            relink(call.match);
        }
        relink(call);
    }

    private static void unlink(Entry entry) {
        entry.previous.next = entry.next;
        if (entry.next != null) {
            entry.next.previous = entry.previous;
        }
    }

    private static void relink(Entry entry) {
        entry.previous.next = entry;
        if (entry.next != null) {
            entry.next.previous = entry;
        }
    }
}
