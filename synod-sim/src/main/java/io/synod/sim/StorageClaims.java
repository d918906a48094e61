package io.synod.sim;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.paxos.Acceptor;
import io.synod.core.Ballot;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one node's storage has claimed durable, checked against what the node recovers after a crash. The storage
 * claims records durable when it reports a sync complete; a record it claimed and then lost (an fsync skipped, a
 * directory entry never synced) is a durability bug even if no protocol checker notices it yet.
 */
final class StorageClaims {
    private final int node;
    private final Checkers checkers;
    private final ArrayDeque<List<Durable>> waiting = new ArrayDeque<>();
    private final ArrayDeque<Long> tickets = new ArrayDeque<>();
    private List<Durable> appended = new ArrayList<>();
    private Ballot promised = Ballot.ZERO;
    private final Map<Long, Ballot> accepted = new HashMap<>();

    StorageClaims(int node, Checkers checkers) {
        this.node = node;
        this.checkers = checkers;
    }

    void appended(List<Durable> records) {
        appended.addAll(records);
    }

    /** A sync was requested with {@code ticket}; it covers everything appended so far. */
    void syncRequested(long ticket) {
        waiting.addLast(appended);
        tickets.addLast(ticket);
        appended = new ArrayList<>();
    }

    /** The storage reported every sync up to {@code ticket} complete. */
    void synced(long ticket) {
        while (!tickets.isEmpty() && tickets.peekFirst() <= ticket) {
            tickets.pollFirst();
            for (Durable record : waiting.pollFirst()) {
                claim(record);
            }
        }
    }

    private void claim(Durable record) {
        checkers.onDurable(node, record);
        switch (record) {
            case Durable.Promised p -> promised = max(promised, p.ballot());
            case Durable.Accepted a -> {
                promised = max(promised, a.ballot());
                accepted.merge(a.slot(), a.ballot(), StorageClaims::max);
            }
            case Durable.Chosen c -> { }
        }
    }

    /** A crash: what was appended but not reported durable is no longer claimed. */
    void crashed() {
        waiting.clear();
        tickets.clear();
        appended = new ArrayList<>();
    }

    /** Checks that recovery found everything claimed durable (above the snapshot it started from). */
    void checkRecovered(DurableState state) {
        if (state.promised().compareTo(promised) < 0) {
            throw new SimFailure("durability", "node " + node + " recovered promise " + state.promised()
                    + " but its storage had reported " + promised + " durable");
        }
        for (Map.Entry<Long, Ballot> claim : accepted.entrySet()) {
            long slot = claim.getKey();
            if (slot < state.snapshotSlot() || state.chosen().containsKey(slot)) {
                continue;
            }
            Acceptor.Vote vote = state.accepted().get(slot);
            if (vote == null || vote.ballot().compareTo(claim.getValue()) < 0) {
                throw new SimFailure("durability", "node " + node + " lost its vote in ballot " + claim.getValue()
                        + " for slot " + slot + ", which its storage had reported durable (recovered " + vote + ")");
            }
        }
    }

    private static Ballot max(Ballot a, Ballot b) {
        return b.greaterThan(a) ? b : a;
    }
}
