package io.synod.core.paxos;

import io.synod.core.Ballot;
import io.synod.core.Durable;
import io.synod.core.Invariants;
import io.synod.core.Value;
import io.synod.core.message.Accept;
import io.synod.core.message.AcceptedSlot;
import io.synod.core.message.Message;
import io.synod.core.message.Nack;
import io.synod.core.message.Prepare;
import io.synod.core.message.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The acceptor role (seed 004, "Phase 1" and "Phase 2"; seed 001, per-slot acceptor state), for every slot at once.
 *
 * <p>One promised ballot covers all slots: promising for every slot is stronger than promising for some, so it is
 * always safe, and it is what lets a leader run phase 1 once for all future slots. Per slot it keeps the value it
 * accepted and in which ballot, until the slot is known chosen and the {@link Learner} holds the value instead.
 *
 * <p>Every promise and accept is handed to the {@link Outbox} as a record that must be synced; the reply travels in the
 * same Ready, so it leaves only once the record is durable.
 */
public final class Acceptor {
    /** What the acceptor accepted in one slot. */
    public record Vote(Ballot ballot, Value value) {}

    private final Outbox outbox;
    private final Learner learner;
    private final int acceptWindow;
    private final long acceptBytesMax;
    private long unresolvedBytes;
    private Ballot promised;
    private final TreeMap<Long, Vote> accepted = new TreeMap<>();

    public Acceptor(Outbox outbox, Learner learner, int acceptWindow, long acceptBytesMax, Ballot promised,
            Map<Long, Vote> recovered) {
        this.outbox = outbox;
        this.learner = learner;
        this.acceptWindow = acceptWindow;
        this.acceptBytesMax = acceptBytesMax;
        this.promised = promised;
        for (Map.Entry<Long, Vote> entry : recovered.entrySet()) {
            if (!learner.isChosen(entry.getKey())) {
                put(entry.getKey(), entry.getValue());
            }
        }
    }

    private void put(long slot, Vote vote) {
        Vote previous = accepted.put(slot, vote);
        unresolvedBytes += vote.value().sizeBytes() - (previous == null ? 0 : previous.value().sizeBytes());
    }

    public Ballot promised() {
        return promised;
    }

    /** The vote this acceptor holds for {@code slot}, or null. Slots known chosen hold none. */
    public Vote vote(long slot) {
        return accepted.get(slot);
    }

    /** Slots with an accepted value that is not yet known chosen. */
    public int unresolvedCount() {
        return accepted.size();
    }

    /** Phase 1b. Returns the reply: a promise, or a nack when a higher ballot was promised. */
    public Message onPrepare(Prepare prepare) {
        if (promised.greaterThan(prepare.ballot())) {
            return new Nack(prepare.ballot(), promised, learner.committed());
        }
        raisePromise(prepare.ballot());
        long from = Math.max(prepare.fromSlot(), learner.committed());
        List<AcceptedSlot> slots = new ArrayList<>();
        for (Map.Entry<Long, Vote> entry : accepted.tailMap(from, true).entrySet()) {
            Vote vote = entry.getValue();
            slots.add(new AcceptedSlot(entry.getKey(), vote.ballot(), vote.value(), false));
        }
        for (long slot = from; slot <= learner.highestKnown(); slot++) {
            Value value = learner.chosenValue(slot);
            if (value != null) {
                slots.add(new AcceptedSlot(slot, Ballot.ZERO, value, true));
            }
        }
        return new Promise(prepare.ballot(), prepare.fromSlot(), learner.committed(), slots);
    }

    /** The outcome of an Accept. */
    public enum AcceptOutcome { ACCEPTED, REFUSED, ALREADY_CHOSEN, TOO_FAR_AHEAD }

    /**
     * Phase 2b. Accepts unless a higher ballot was promised, the slot is already known chosen, or the slot is so far
     * beyond the commit index — in slots, or in bytes of unresolved votes — that this acceptor must catch up first.
     * That bounds what one promise can carry. The slot at the commit index is always accepted, so progress never
     * waits on the bound.
     */
    public AcceptOutcome onAccept(Accept accept) {
        if (promised.greaterThan(accept.ballot())) {
            return AcceptOutcome.REFUSED;
        }
        if (learner.isChosen(accept.slot())) {
            return AcceptOutcome.ALREADY_CHOSEN;
        }
        if (accept.slot() >= learner.committed() + acceptWindow) {
            return AcceptOutcome.TOO_FAR_AHEAD;
        }
        Vote previous = accepted.get(accept.slot());
        if (previous == null && accept.slot() != learner.committed()
                && unresolvedBytes + accept.value().sizeBytes() > acceptBytesMax) {
            return AcceptOutcome.TOO_FAR_AHEAD;
        }
        if (previous != null && previous.ballot().equals(accept.ballot())) {
            Invariants.check(previous.value().equals(accept.value()),
                    "slot %d got two values in ballot %s", accept.slot(), accept.ballot());
        }
        Invariants.check(accept.ballot().atLeast(promised), "accepting %s below promise %s", accept.ballot(), promised);
        if (accept.ballot().greaterThan(promised)) {
            promised = accept.ballot();
        }
        put(accept.slot(), new Vote(accept.ballot(), accept.value()));
        outbox.persistSynced(new Durable.Accepted(accept.slot(), accept.ballot(), accept.value()));
        return AcceptOutcome.ACCEPTED;
    }

    public Nack nack(Ballot rejected) {
        return new Nack(rejected, promised, learner.committed());
    }

    /**
     * Applies commit news: every slot below {@code chosenBelow} this acceptor accepted in {@code ballot} holds the
     * chosen value. Returns how many slots it learned.
     */
    public int onCommitNews(Ballot ballot, long chosenBelow) {
        if (chosenBelow <= learner.committed() || accepted.isEmpty()) {
            return 0;
        }
        NavigableMap<Long, Vote> range = accepted.subMap(learner.committed(), true, chosenBelow, false);
        List<Long> learned = new ArrayList<>();
        for (Map.Entry<Long, Vote> entry : range.entrySet()) {
            if (entry.getValue().ballot().equals(ballot)) {
                learned.add(entry.getKey());
            }
        }
        for (long slot : learned) {
            learner.learn(slot, accepted.get(slot).value());
        }
        return learned.size();
    }

    /** Drops every vote below {@code slot}: those slots are covered by an installed snapshot. */
    public void forgetBelow(long slot) {
        while (!accepted.isEmpty() && accepted.firstKey() < slot) {
            forget(accepted.firstKey());
        }
    }

    /** Drops the vote of a slot that is now known chosen: the learner holds its value. */
    public void forget(long slot) {
        Vote removed = accepted.remove(slot);
        if (removed != null) {
            unresolvedBytes -= removed.value().sizeBytes();
        }
    }

    private void raisePromise(Ballot ballot) {
        Invariants.check(ballot.atLeast(promised), "promise going down from %s to %s", promised, ballot);
        if (ballot.greaterThan(promised)) {
            promised = ballot;
            outbox.persistSynced(new Durable.Promised(ballot));
        }
    }
}
