package io.synod.core;

import io.synod.core.paxos.Acceptor;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * What a node recovers from stable storage: its acceptor's promise and votes, and the values it knows chosen. Built by
 * replaying {@link Durable} records in the order they were written; handed to {@link Node}'s constructor.
 */
public final class DurableState {
    private Ballot promised = Ballot.ZERO;
    private final Map<Long, Acceptor.Vote> accepted = new HashMap<>();
    private final Map<Long, Value> chosen = new HashMap<>();
    private long snapshotSlot;
    private long snapshotBytes;

    /** The state of a node that has never run. */
    public static DurableState empty() {
        return new DurableState();
    }

    /**
     * Records that recovery starts from a snapshot covering every slot below {@code slot}, {@code bytes} long. Call
     * before replaying records; records about slots below it are then ignored.
     */
    public void startAfterSnapshot(long slot, long bytes) {
        Invariants.check(accepted.isEmpty() && chosen.isEmpty(), "snapshot position set after records");
        this.snapshotSlot = slot;
        this.snapshotBytes = bytes;
    }

    public long snapshotSlot() {
        return snapshotSlot;
    }

    public long snapshotBytes() {
        return snapshotBytes;
    }

    /** Replays one record. Records must come in the order they were persisted. */
    public void replay(Durable record) {
        switch (record) {
            case Durable.Promised p -> {
                if (p.ballot().greaterThan(promised)) {
                    promised = p.ballot();
                }
            }
            case Durable.Accepted a -> {
                if (a.slot() < snapshotSlot) {
                    if (a.ballot().greaterThan(promised)) {
                        promised = a.ballot();
                    }
                    return;
                }
                Acceptor.Vote previous = accepted.get(a.slot());
                if (previous != null && previous.ballot().equals(a.ballot())) {
                    Invariants.check(previous.value().equals(a.value()),
                            "log holds two values for slot %d in ballot %s", a.slot(), a.ballot());
                }
                if (previous == null || a.ballot().atLeast(previous.ballot())) {
                    accepted.put(a.slot(), new Acceptor.Vote(a.ballot(), a.value()));
                }
            }
            case Durable.Chosen c -> {
                if (c.slot() < snapshotSlot) {
                    return;
                }
                Value previous = chosen.putIfAbsent(c.slot(), c.value());
                Invariants.check(previous == null || previous.equals(c.value()),
                        "log holds two chosen values for slot %d", c.slot());
            }
        }
    }

    /** The highest ballot promised, explicitly or by accepting in it. */
    public Ballot promised() {
        Ballot accepting = highestAccepted();
        return accepting.greaterThan(promised) ? accepting : promised;
    }

    /** The highest ballot accepted in any slot (what a node that forgot its promises would believe it promised). */
    public Ballot highestAccepted() {
        Ballot highest = Ballot.ZERO;
        for (Acceptor.Vote vote : accepted.values()) {
            if (vote.ballot().greaterThan(highest)) {
                highest = vote.ballot();
            }
        }
        return highest;
    }

    public Map<Long, Acceptor.Vote> accepted() {
        return Collections.unmodifiableMap(accepted);
    }

    public Map<Long, Value> chosen() {
        return Collections.unmodifiableMap(chosen);
    }
}
