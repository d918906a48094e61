package io.synod.sim.bugs;

import io.synod.core.message.AcceptedSlot;
import io.synod.core.message.Promise;
import io.synod.core.paxos.Recovery;
import java.util.List;
import java.util.SortedMap;

/**
 * A new leader that keeps only the slots promises report chosen and ignores every accepted value: it fills those slots
 * with its own commands or no-ops, so a value a majority accepted may be chosen over.
 */
public final class IgnoresPromisedValues implements Recovery {
    @Override
    public SortedMap<Long, AcceptedSlot> pick(long start, List<Promise> promises) {
        SortedMap<Long, AcceptedSlot> picked = Recovery.HIGHEST_BALLOT.pick(start, promises);
        picked.values().removeIf(slot -> !slot.chosen());
        return picked;
    }
}
