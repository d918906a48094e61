package io.synod.core.paxos;

import io.synod.core.message.AcceptedSlot;
import io.synod.core.message.Promise;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a new leader reads the promises of its phase 1 (seed 004, Multi-Paxos): for every slot from {@code start} on that
 * any promise reported, the one report it must act on. A slot reported chosen is learned; any other is re-proposed
 * with the reported value, and slots no promise reported become no-ops.
 *
 * <p>Contract: a pure function of its arguments, called by the {@link Proposer} when a majority has promised. The only
 * production rule is {@link #HIGHEST_BALLOT}; tests plant a wrong one to show the checkers catch it.
 */
@FunctionalInterface
public interface Recovery {
    /** The report to act on per slot, in slot order; slots below {@code start} are left out. */
    SortedMap<Long, AcceptedSlot> pick(long start, List<Promise> promises);

    /**
     * Paxos's rule: per slot, a report that it is chosen, else the accepted value with the highest ballot, the only one
     * that may have been chosen.
     */
    Recovery HIGHEST_BALLOT = (start, promises) -> {
        SortedMap<Long, AcceptedSlot> best = new TreeMap<>();
        for (Promise promise : promises) {
            for (AcceptedSlot slot : promise.slots()) {
                if (slot.slot() < start) {
                    continue;
                }
                AcceptedSlot current = best.get(slot.slot());
                if (current == null || slot.chosen()
                        || (!current.chosen() && slot.ballot().greaterThan(current.ballot()))) {
                    best.put(slot.slot(), slot);
                }
            }
        }
        return best;
    };
}
