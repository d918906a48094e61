package io.synod.core.paxos;

import io.synod.core.Invariants;
import io.synod.core.NodeConfig;
import io.synod.core.Ready;
import io.synod.core.message.SnapshotChunk;
import io.synod.core.message.SnapshotRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Snapshot transfer (seed 003, "further improvements": snapshots): serving this node's newest snapshot to peers that
 * need slots it has compacted away, and receiving a peer's snapshot when this node is that far behind.
 *
 * <p>A snapshot is fetched chunk by chunk ({@code snapshotChunkBytes} at most), with up to {@link #WINDOW} requests
 * outstanding, so a transfer takes about {@code size / (WINDOW * chunk)} round trips rather than one per chunk. Chunks
 * that arrive ahead of the next offset wait in a buffer bounded by the window and are written in offset order. If
 * nothing arrives for {@code 2 * retransmitMs}, the window is asked for again (so a lost chunk costs one timeout, not
 * the transfer); a peer that ignores {@link #MAX_UNANSWERED_CHUNK_REQUESTS} rounds in a row is given up on. The bytes
 * never pass through the core: it asks the replica to read and write them ({@link Ready.SnapshotRead},
 * {@link Ready.SnapshotWrite}).
 *
 * <p>Invariants checked always: the bytes received never exceed the snapshot's length, chunks are written at
 * consecutive offsets, one snapshot's length never changes during its transfer, and the buffer never holds more than
 * the window.
 */
public final class SnapshotTransfer {
    /** A snapshot transfer whose peer ignores this many request rounds in a row is abandoned. */
    static final int MAX_UNANSWERED_CHUNK_REQUESTS = 5;
    /** Chunk requests outstanding at once. */
    static final int WINDOW = 8;

    /** A snapshot being received. */
    private static final class Receiving {
        long slot;
        final int from;
        /** Every byte below this is written. */
        long receivedBytes;
        long totalBytes = -1;
        /** Requests went out for every chunk offset below this. */
        long requestedBelow;
        long progressAtMs;
        int unanswered;
        boolean complete;
        /** Chunks that came ahead of {@code receivedBytes}, by offset. */
        final TreeMap<Long, SnapshotChunk> early = new TreeMap<>();

        Receiving(long slot, int from) {
            this.slot = slot;
            this.from = from;
        }

        void restartWith(long newSlot) {
            slot = newSlot;
            receivedBytes = 0;
            requestedBelow = 0;
            totalBytes = -1;
            complete = false;
            early.clear();
        }
    }

    private final NodeConfig config;
    private final Outbox outbox;
    private final Learner learner;
    private final List<Ready.SnapshotRead> reads = new ArrayList<>();
    private final List<Ready.SnapshotWrite> writes = new ArrayList<>();

    private long localSlot = -1;
    private long localBytes;
    /** The snapshot being received, or null. */
    private Receiving receiving;

    public SnapshotTransfer(NodeConfig config, Outbox outbox, Learner learner) {
        this.config = config;
        this.outbox = outbox;
        this.learner = learner;
    }

    // ----- serving -----

    /** The replica wrote a snapshot at {@code slot}; it is the one this node serves from now on. */
    public void onSnapshotTaken(long slot, long totalBytes) {
        Invariants.check(totalBytes >= 0, "snapshot at %d has %d bytes", slot, totalBytes);
        if (slot > localSlot) {
            localSlot = slot;
            localBytes = totalBytes;
        }
    }

    /** The slot of the snapshot this node serves, or -1. */
    public long localSlot() {
        return localSlot;
    }

    /** Sends the chunk a peer asked for, or the start of the newest snapshot if the one it asked for is gone. */
    public void onRequest(int from, SnapshotRequest request) {
        if (localSlot < 0) {
            return;
        }
        long offset = request.snapshotSlot() == localSlot ? request.offset() : 0;
        if (offset >= 0 && offset < localBytes) {
            reads.add(new Ready.SnapshotRead(from, localSlot, offset, config.snapshotChunkBytes(), localBytes));
        }
    }

    // ----- receiving -----

    /** Whether a snapshot is being received (or waits to be installed). */
    public boolean isReceiving() {
        return receiving != null;
    }

    /** A peer offered its snapshot at {@code slot}: fetch it unless one at least as new is already coming. */
    public void fetch(int peer, long slot, long nowMs) {
        if (receiving != null && receiving.slot >= slot) {
            return;
        }
        receiving = new Receiving(slot, peer);
        receiving.progressAtMs = nowMs;
        requestWindow();
    }

    /** Asks for every chunk of the window not asked for yet. */
    private void requestWindow() {
        Receiving r = receiving;
        long chunk = config.snapshotChunkBytes();
        long limit = r.receivedBytes + WINDOW * chunk;
        if (r.totalBytes >= 0) {
            limit = Math.min(limit, r.totalBytes);
        }
        long offset = Math.max(r.requestedBelow, r.receivedBytes);
        if (r.requestedBelow == 0 && r.totalBytes < 0) {
            limit = Math.min(limit, chunk); // the length is unknown until the first chunk: ask for that one alone
        }
        for (; offset < limit; offset += chunk) {
            if (!r.early.containsKey(offset)) {
                outbox.send(r.from, new SnapshotRequest(r.slot, offset));
            }
        }
        r.requestedBelow = Math.max(r.requestedBelow, offset);
    }

    /** Takes a chunk of the snapshot being received; anything else (late, duplicate, stale) is ignored. */
    public void onChunk(int from, SnapshotChunk chunk, long nowMs) {
        Receiving r = receiving;
        if (r == null || r.complete || from != r.from) {
            return;
        }
        if (chunk.snapshotSlot() != r.slot) {
            if (chunk.snapshotSlot() <= r.slot || chunk.offset() != 0) {
                return;
            }
            r.restartWith(chunk.snapshotSlot()); // the peer moved on to a newer snapshot: start over with it
        }
        if (chunk.data().length == 0 || chunk.offset() < r.receivedBytes
                || chunk.offset() + chunk.data().length > chunk.totalBytes()
                || (r.totalBytes >= 0 && chunk.totalBytes() != r.totalBytes)
                || chunk.offset() >= r.receivedBytes + (long) WINDOW * config.snapshotChunkBytes()) {
            return; // late, duplicate, beyond the window, or malformed
        }
        r.totalBytes = chunk.totalBytes();
        r.unanswered = 0;
        r.progressAtMs = nowMs;
        r.early.putIfAbsent(chunk.offset(), chunk);
        Invariants.check(r.early.size() <= WINDOW, "%d snapshot chunks buffered, window %d", r.early.size(), WINDOW);
        for (SnapshotChunk next = r.early.remove(r.receivedBytes); next != null;
                next = r.early.remove(r.receivedBytes)) {
            r.receivedBytes += next.data().length;
            Invariants.check(r.receivedBytes <= r.totalBytes, "received %d bytes of a %d-byte snapshot",
                    r.receivedBytes, r.totalBytes);
            r.complete = r.receivedBytes == r.totalBytes;
            writes.add(new Ready.SnapshotWrite(r.slot, next.offset(), r.totalBytes, next.data(), r.complete));
        }
        if (r.complete) {
            r.early.clear();
        } else {
            requestWindow();
        }
    }

    /** The replica finished the snapshot at {@code slot}; returns true if it was installed. */
    public boolean onInstalled(long slot, boolean ok, long nowMs) {
        Receiving r = receiving;
        if (r == null || slot != r.slot) {
            return false;
        }
        if (!ok) {
            r.restartWith(r.slot);
            r.progressAtMs = nowMs;
            requestWindow();
            return false;
        }
        Invariants.check(r.complete, "snapshot at %d installed after %d of %d bytes", slot, r.receivedBytes,
                r.totalBytes);
        receiving = null;
        onSnapshotTaken(slot, r.totalBytes);
        return true;
    }

    /** Asks again for a window that did not come, or gives up; drops a transfer the log has overtaken. */
    public void tick(long nowMs) {
        Receiving r = receiving;
        if (r == null || r.complete) {
            return;
        }
        if (learner.handedOut() >= r.slot) {
            receiving = null; // caught up from the log meanwhile: the snapshot is no longer needed
        } else if (nowMs - r.progressAtMs >= 2 * config.retransmitMs()) {
            if (++r.unanswered >= MAX_UNANSWERED_CHUNK_REQUESTS) {
                receiving = null; // the peer is gone: give up; the next probe finds another peer to fetch from
            } else {
                r.progressAtMs = nowMs;
                r.requestedBelow = r.receivedBytes; // ask for the whole window again
                requestWindow();
            }
        }
    }

    /** When a window is next due for a resend, or {@code Long.MAX_VALUE}. */
    public long wakeAtMs() {
        Receiving r = receiving;
        return r == null || r.complete ? Long.MAX_VALUE : r.progressAtMs + 2 * config.retransmitMs();
    }

    /** Snapshot reads gathered since the last call; the list is handed over. */
    public List<Ready.SnapshotRead> takeReads() {
        List<Ready.SnapshotRead> taken = List.copyOf(reads);
        reads.clear();
        return taken;
    }

    /** Snapshot writes gathered since the last call; the list is handed over. */
    public List<Ready.SnapshotWrite> takeWrites() {
        List<Ready.SnapshotWrite> taken = List.copyOf(writes);
        writes.clear();
        return taken;
    }

    public boolean hasWork() {
        return !reads.isEmpty() || !writes.isEmpty();
    }
}
