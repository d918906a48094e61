package io.synod.core;

import io.synod.core.election.Mastership;
import io.synod.core.message.Envelope;
import java.util.List;

/**
 * One batch of work the node hands to its caller, cut by {@link Node#ready()}. Its lists are immutable. The caller
 * (the replica loop) takes charge of it and calls {@link Node#advance()}; then:
 * <ol>
 *   <li><b>persist</b> every record in {@link #records()}, in order; if {@link #mustSync()} is true, sync them (and all
 *       records before them) to stable storage;</li>
 *   <li><b>send</b> every message in {@link #eagerMessages()} at once: they depend on no record (a leader's Accepts
 *       and Commits), so the peers make the value durable while this node does;</li>
 *   <li><b>send</b> every message in {@link #messages()} only once step 1 is durable (persist before send), and only
 *       then give every one of {@link #ownVotes()} back to the node with {@link Input.Receive} (its own acceptor's
 *       votes count only once they are on disk);</li>
 *   <li><b>apply</b> every entry in {@link #toApply()}, in the order given (slot order): each client command goes to
 *       the state machine, each election command ({@link Command.Kind#ELECTION}) is skipped;</li>
 *   <li>answer every proposal or read in {@link #rejected()} with its reason, every proposal in {@link #unknown()} as
 *       of unknown outcome, and every read in {@link #readIndexes()} with its index;</li>
 *   <li>for every {@link SnapshotRead}, read those bytes of the local snapshot and send them to the peer as a
 *       {@link io.synod.core.message.SnapshotChunk}; write every {@link SnapshotWrite} to the snapshot being received
 *       and, after the last one, verify and install it and step {@link Input.SnapshotInstalled};</li>
 *   <li>arrange a {@link Input.Tick} at {@link #wakeAtMs()}.</li>
 * </ol>
 * The caller may call {@code advance()} and go on stepping the node before step 1 is durable (group commit): it then
 * holds steps 3 to 6 of this Ready, and of every later one, and releases them in the order the Readys were cut once
 * the sync that covers their records is done. Nothing in a Ready but its eager messages may take effect outside the
 * node before the Ready's records, and those of every earlier Ready, are durable: a message, an applied value or a
 * client answer can depend on any of them.
 *
 * @param records records to persist, in order
 * @param mustSync whether the records must be synced before anything else in this Ready takes effect
 * @param messages messages to peers that may depend on the records; none addressed to this node
 * @param eagerMessages messages to peers that depend on no record of this node and may leave before they are durable
 * @param ownVotes this node's acceptor's answers to its own proposer (each addressed from and to this node), to be
 *     given back to it once released
 * @param toApply chosen values to apply, consecutive slots in slot order
 * @param rejected client commands the node will not put in the log, with why
 * @param unknown request ids of this node's commands whose fate it can no longer learn (their slots were covered by
 *     an installed snapshot): they may or may not have been applied
 * @param snapshotReads chunks of the local snapshot to send to peers
 * @param snapshotWrites chunks of a peer's snapshot to write, in offset order
 * @param wakeAtMs when the node next needs a {@link Input.Tick} ({@code Long.MAX_VALUE} if never by time alone)
 * @param mastership the election's output as of this Ready: who is master, and until when this node may read locally
 *     (it holds only once this Ready's records are durable, like everything else here)
 * @param readIndexes reads confirmed by a majority, with the index each may be answered at (released with the rest)
 */
public record Ready(
        List<Durable> records,
        boolean mustSync,
        List<Envelope> messages,
        List<Envelope> eagerMessages,
        List<Envelope> ownVotes,
        List<LogEntry> toApply,
        List<Rejection> rejected,
        List<Long> unknown,
        List<SnapshotRead> snapshotReads,
        List<SnapshotWrite> snapshotWrites,
        long wakeAtMs,
        Mastership mastership,
        List<ReadIndexed> readIndexes) {

    public Ready {
        records = List.copyOf(records);
        messages = List.copyOf(messages);
        eagerMessages = List.copyOf(eagerMessages);
        ownVotes = List.copyOf(ownVotes);
        toApply = List.copyOf(toApply);
        rejected = List.copyOf(rejected);
        unknown = List.copyOf(unknown);
        snapshotReads = List.copyOf(snapshotReads);
        snapshotWrites = List.copyOf(snapshotWrites);
        readIndexes = List.copyOf(readIndexes);
    }

    /**
     * The read {@code requestId} ({@link Input.ReadIndex}) may be answered once every slot below {@code index} is
     * applied.
     */
    public record ReadIndexed(long requestId, long index) {}

    /**
     * Send bytes {@code offset ..} (at most {@code maxBytes}) of the local snapshot at {@code slot}, which is
     * {@code totalBytes} long, to {@code to}.
     */
    public record SnapshotRead(int to, long slot, long offset, int maxBytes, long totalBytes) {}

    /**
     * Write {@code data} at {@code offset} of the snapshot at {@code slot} being received, {@code totalBytes} long;
     * {@code last} is true for the chunk that completes it.
     */
    public record SnapshotWrite(long slot, long offset, long totalBytes, byte[] data, boolean last) {}

    /** A client command the node refused, and why. Nothing of it was put in the log. */
    public record Rejection(long requestId, Reason reason) {}

    /** Why a command was refused. */
    public enum Reason {
        /** Too many commands are waiting for a slot already. */
        OVERLOADED,
        /** Another node is master and this one may not propose (see {@link io.synod.core.election.Election}). */
        NOT_MASTER
    }

    /** True if there is nothing to persist, send, apply or answer. */
    public boolean isEmpty() {
        return records.isEmpty() && messages.isEmpty() && eagerMessages.isEmpty() && ownVotes.isEmpty()
                && toApply.isEmpty() && rejected.isEmpty()
                && unknown.isEmpty() && snapshotReads.isEmpty() && snapshotWrites.isEmpty() && readIndexes.isEmpty();
    }
}
