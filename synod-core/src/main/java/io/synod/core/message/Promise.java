package io.synod.core.message;

import io.synod.core.Ballot;
import java.util.List;

/**
 * Phase 1b: the acceptor promised {@code ballot} and reports every slot at or above
 * {@code max(fromSlot, committed)} it has accepted or knows chosen. Slots below {@code committed} are chosen and known
 * to the acceptor; a proposer that lacks them catches up instead of proposing there.
 *
 * @param committed the acceptor's commit index: every slot below it is chosen and known to the acceptor
 */
public record Promise(Ballot ballot, long fromSlot, long committed, List<AcceptedSlot> slots) implements Message {
    public Promise {
        slots = List.copyOf(slots);
    }
}
