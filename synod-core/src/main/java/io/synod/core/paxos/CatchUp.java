package io.synod.core.paxos;

import io.synod.core.Invariants;
import io.synod.core.LogEntry;
import io.synod.core.NodeConfig;
import io.synod.core.message.CatchUpReply;
import io.synod.core.message.CatchUpRequest;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Log catch-up (seed 001, "Catching up lagging nodes"; seed 003, sync strategy): a node that learns it is behind fetches
 * chosen values from one peer, a bounded chunk at a time. It learns it is behind from the commit index every protocol
 * message carries, and by asking a random peer now and then. No quorum is needed: a peer reports a value as chosen
 * only if a majority accepted it.
 *
 * <p>When the peer has compacted away the slots asked for, it offers its newest snapshot instead, and the
 * {@link SnapshotTransfer} fetches it; no log request goes out while it does.
 *
 * <p>At most one catch-up request is outstanding; an unanswered one is given up after {@code 2 * retransmitMs}.
 */
public final class CatchUp {
    private final NodeConfig config;
    private final Outbox outbox;
    private final Learner learner;
    private final SnapshotTransfer snapshots;
    private final RandomGenerator random;

    /** The peer asked last, while its answer may still come; -1 if none. */
    private int askedPeer = -1;
    private long askedAtMs;
    private boolean askedBecauseBehind;
    private long probeAtMs;

    public CatchUp(NodeConfig config, Outbox outbox, Learner learner, SnapshotTransfer snapshots,
            RandomGenerator random) {
        this.config = config;
        this.outbox = outbox;
        this.learner = learner;
        this.snapshots = snapshots;
        this.random = random;
    }

    /** A peer reported commit index {@code peerCommitted}; if it is ahead of this node, ask it for what we lack. */
    public void onPeerCommitted(int peer, long peerCommitted, long nowMs) {
        // A probe may be outstanding to a peer that is not ahead; a peer known to be ahead goes first.
        if (peerCommitted > learner.committed() && !(outstanding(nowMs) && askedBecauseBehind)
                && !snapshots.isReceiving()) {
            ask(peer, nowMs, true);
        }
    }

    /** Serves a peer's request from this node's chosen values, or offers the snapshot if they are compacted away. */
    public CatchUpReply onRequest(CatchUpRequest request) {
        if (request.fromSlot() < learner.firstRetained() && snapshots.localSlot() > request.fromSlot()) {
            return new CatchUpReply(learner.committed(), List.of(), snapshots.localSlot());
        }
        List<LogEntry> entries =
                learner.range(request.fromSlot(), config.catchUpMaxEntries(), config.catchUpMaxBytes());
        return new CatchUpReply(learner.committed(), entries);
    }

    /** Learns what a peer sent; asks the same peer for more while it is still ahead. */
    public void onReply(int from, CatchUpReply reply, long nowMs) {
        long before = learner.committed();
        for (LogEntry entry : reply.entries()) {
            learner.learn(entry.slot(), entry.value());
        }
        Invariants.check(learner.committed() >= before, "catch-up moved the commit index down");
        if (from == askedPeer) {
            askedPeer = -1;
        }
        if (reply.snapshotSlot() > learner.committed() && reply.entries().isEmpty()) {
            snapshots.fetch(from, reply.snapshotSlot(), nowMs);
        } else if (reply.committed() > learner.committed() && !reply.entries().isEmpty()) {
            // An empty reply from a peer that is ahead means it holds nothing we can use; wait for the next probe.
            ask(from, nowMs, true);
        }
    }

    /** Probes a random peer when the interval has passed. */
    public void tick(long nowMs) {
        if (nowMs < probeAtMs) {
            return;
        }
        probeAtMs = nowMs + config.catchUpIntervalMs();
        if (outstanding(nowMs) || snapshots.isReceiving() || outbox.quorum().size() < 2) {
            return;
        }
        List<Integer> members = outbox.quorum().members();
        int peer;
        do {
            peer = members.get(random.nextInt(members.size()));
        } while (peer == outbox.self());
        ask(peer, nowMs, false);
    }

    public long wakeAtMs() {
        return probeAtMs;
    }

    private boolean outstanding(long nowMs) {
        return askedPeer >= 0 && nowMs - askedAtMs < 2 * config.retransmitMs();
    }

    private void ask(int peer, long nowMs, boolean behind) {
        askedPeer = peer;
        askedAtMs = nowMs;
        askedBecauseBehind = behind;
        outbox.send(peer, new CatchUpRequest(learner.committed()));
    }
}
