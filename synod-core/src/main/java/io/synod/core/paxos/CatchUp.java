package io.synod.core.paxos;

import io.synod.core.LogEntry;
import io.synod.core.NodeConfig;
import io.synod.core.Ready;
import io.synod.core.message.CatchUpReply;
import io.synod.core.message.CatchUpRequest;
import io.synod.core.message.SnapshotChunk;
import io.synod.core.message.SnapshotRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Catch-up (seed 001, "Catching up lagging nodes"; seed 003, sync strategy): a node that learns it is behind fetches
 * chosen values from one peer, a bounded chunk at a time. It learns it is behind from the commit index every protocol
 * message carries, and by asking a random peer now and then. No quorum is needed: a peer reports a value as chosen
 * only if a majority accepted it.
 *
 * <p>When the peer has compacted away the slots asked for, it offers its newest snapshot instead, and the node fetches
 * it chunk by chunk ({@code snapshotChunkBytes} at most), one request outstanding, asking again for the same offset if
 * a chunk does not come (so a lost chunk costs one timeout, not the transfer). The bytes themselves never pass through
 * the core: it asks the replica to read and write them ({@link Ready.SnapshotRead}, {@link Ready.SnapshotWrite}).
 *
 * <p>At most one catch-up request is outstanding; an unanswered one is given up after {@code 2 * retransmitMs}.
 */
public final class CatchUp {
    /** A snapshot transfer whose peer ignores this many requests in a row is abandoned. */
    static final int MAX_UNANSWERED_CHUNK_REQUESTS = 5;

    private final NodeConfig config;
    private final Outbox outbox;
    private final Learner learner;
    private final RandomGenerator random;
    private final List<Ready.SnapshotRead> snapshotReads = new ArrayList<>();
    private final List<Ready.SnapshotWrite> snapshotWrites = new ArrayList<>();

    private int askedPeer = -1;
    private long askedAtMs;
    private boolean askedBecauseBehind;
    private long probeAtMs;

    private long localSnapshotSlot = -1;
    private long localSnapshotBytes;

    private long receivingSlot = -1;
    private int receivingFrom;
    private long receivedBytes;
    private long receivingRequestedAtMs;
    private boolean awaitingInstall;
    private long receivingTotalBytes;
    private int unansweredRequests;

    public CatchUp(NodeConfig config, Outbox outbox, Learner learner, RandomGenerator random) {
        this.config = config;
        this.outbox = outbox;
        this.learner = learner;
        this.random = random;
    }

    /** A peer reported commit index {@code peerCommitted}; if it is ahead of this node, ask it for what we lack. */
    public void onPeerCommitted(int peer, long peerCommitted, long nowMs) {
        // A probe may be outstanding to a peer that is not ahead; a peer known to be ahead goes first.
        if (peerCommitted > learner.committed() && !(outstanding(nowMs) && askedBecauseBehind) && !receiving()) {
            ask(peer, nowMs, true);
        }
    }

    /** Serves a peer's request from this node's chosen values, or offers the snapshot if they are compacted away. */
    public CatchUpReply onRequest(CatchUpRequest request) {
        if (request.fromSlot() < learner.firstRetained() && localSnapshotSlot > request.fromSlot()) {
            return new CatchUpReply(learner.committed(), List.of(), localSnapshotSlot);
        }
        List<LogEntry> entries =
                learner.range(request.fromSlot(), config.catchUpMaxEntries(), config.catchUpMaxBytes());
        return new CatchUpReply(learner.committed(), entries);
    }

    /** Learns what a peer sent; asks the same peer for more while it is still ahead. */
    public void onReply(int from, CatchUpReply reply, long nowMs) {
        for (LogEntry entry : reply.entries()) {
            learner.learn(entry.slot(), entry.value());
        }
        if (from == askedPeer) {
            askedPeer = -1;
        }
        if (reply.snapshotSlot() > learner.committed() && reply.entries().isEmpty()) {
            fetchSnapshot(from, reply.snapshotSlot(), nowMs);
        } else if (reply.committed() > learner.committed() && !reply.entries().isEmpty()) {
            // An empty reply from a peer that is ahead means it holds nothing we can use; wait for the next probe.
            ask(from, nowMs, true);
        }
    }

    // ----- snapshots: serving -----

    /** The replica wrote a snapshot at {@code slot}; it is the one this node serves from now on. */
    public void onSnapshotTaken(long slot, long totalBytes) {
        if (slot > localSnapshotSlot) {
            localSnapshotSlot = slot;
            localSnapshotBytes = totalBytes;
        }
    }

    /** Sends the chunk a peer asked for, or the start of the newest snapshot if the one it asked for is gone. */
    public void onSnapshotRequest(int from, SnapshotRequest request) {
        if (localSnapshotSlot < 0) {
            return;
        }
        long offset = request.snapshotSlot() == localSnapshotSlot ? request.offset() : 0;
        if (offset < localSnapshotBytes) {
            snapshotReads.add(new Ready.SnapshotRead(from, localSnapshotSlot, offset, config.snapshotChunkBytes(),
                    localSnapshotBytes));
        }
    }

    // ----- snapshots: receiving -----

    private boolean receiving() {
        return receivingSlot >= 0;
    }

    private void fetchSnapshot(int peer, long slot, long nowMs) {
        if (receiving() && receivingSlot >= slot) {
            return;
        }
        receivingSlot = slot;
        receivingFrom = peer;
        receivedBytes = 0;
        awaitingInstall = false;
        unansweredRequests = 0;
        requestChunk(nowMs);
    }

    private void requestChunk(long nowMs) {
        receivingRequestedAtMs = nowMs;
        unansweredRequests++;
        outbox.send(receivingFrom, new SnapshotRequest(receivingSlot, receivedBytes));
    }

    /** Takes the next chunk of the snapshot being received; anything else (late, duplicate, stale) is ignored. */
    public void onSnapshotChunk(int from, SnapshotChunk chunk, long nowMs) {
        if (!receiving() || awaitingInstall || from != receivingFrom) {
            return;
        }
        if (chunk.snapshotSlot() != receivingSlot) {
            if (chunk.snapshotSlot() <= receivingSlot || chunk.offset() != 0) {
                return;
            }
            receivingSlot = chunk.snapshotSlot(); // the peer moved on to a newer snapshot: start over with it
            receivedBytes = 0;
        }
        if (chunk.offset() != receivedBytes || chunk.data().length == 0
                || chunk.offset() + chunk.data().length > chunk.totalBytes()) {
            return; // late, duplicate, or malformed
        }
        receivedBytes += chunk.data().length;
        receivingTotalBytes = chunk.totalBytes();
        unansweredRequests = 0;
        boolean last = receivedBytes >= chunk.totalBytes();
        snapshotWrites.add(new Ready.SnapshotWrite(receivingSlot, chunk.offset(), chunk.totalBytes(), chunk.data(),
                last));
        if (last) {
            awaitingInstall = true;
        } else {
            requestChunk(nowMs);
        }
    }

    /** The replica finished the snapshot at {@code slot}; returns true if it was installed. */
    public boolean onSnapshotInstalled(long slot, boolean ok, long nowMs) {
        if (slot != receivingSlot) {
            return false;
        }
        if (!ok) {
            receivedBytes = 0;
            awaitingInstall = false;
            requestChunk(nowMs);
            return false;
        }
        receivingSlot = -1;
        awaitingInstall = false;
        onSnapshotTaken(slot, receivingTotalBytes);
        return true;
    }

    // ----- time -----

    /** Probes a random peer when the interval has passed; asks again for a snapshot chunk that did not come. */
    public void tick(long nowMs) {
        if (receiving() && !awaitingInstall && learner.applied() >= receivingSlot) {
            receivingSlot = -1; // caught up from the log meanwhile: the snapshot is no longer needed
        }
        if (receiving() && !awaitingInstall && nowMs - receivingRequestedAtMs >= 2 * config.retransmitMs()) {
            if (unansweredRequests >= MAX_UNANSWERED_CHUNK_REQUESTS) {
                receivingSlot = -1; // the peer is gone: give up; the next probe finds another peer to fetch from
            } else {
                requestChunk(nowMs);
            }
        }
        if (nowMs < probeAtMs) {
            return;
        }
        probeAtMs = nowMs + config.catchUpIntervalMs();
        if (outstanding(nowMs) || receiving() || outbox.quorum().size() < 2) {
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
        if (receiving() && !awaitingInstall) {
            return Math.min(probeAtMs, receivingRequestedAtMs + 2 * config.retransmitMs());
        }
        return probeAtMs;
    }

    /** Snapshot reads and writes gathered since the last call; the list is handed over. */
    public List<Ready.SnapshotRead> takeSnapshotReads() {
        List<Ready.SnapshotRead> taken = List.copyOf(snapshotReads);
        snapshotReads.clear();
        return taken;
    }

    public List<Ready.SnapshotWrite> takeSnapshotWrites() {
        List<Ready.SnapshotWrite> taken = List.copyOf(snapshotWrites);
        snapshotWrites.clear();
        return taken;
    }

    public boolean hasSnapshotWork() {
        return !snapshotReads.isEmpty() || !snapshotWrites.isEmpty();
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
