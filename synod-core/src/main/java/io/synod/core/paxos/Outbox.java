package io.synod.core.paxos;

import io.synod.core.Durable;
import io.synod.core.message.Envelope;
import io.synod.core.message.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What the node's roles produce during one batch of work, before it becomes a {@link io.synod.core.Ready}: records to
 * persist, messages for peers, and messages a node sends to itself.
 *
 * <p>Three kinds of message, by what they may depend on:
 * <ul>
 *   <li>{@link #send}: may depend on the Ready's records (most messages). To a peer it leaves once they are durable
 *       (persist before send); to this node it is handled at once, before the Ready is cut.</li>
 *   <li>{@link #vote}: an acceptor's answer, which reports what its records hold. To a peer it leaves once they are
 *       durable like any sent message; to this node it comes back only then too ({@link #ownVotes}), so the node's
 *       own vote counts only once it is on disk.</li>
 *   <li>{@link #sendEager}: states nothing about this node's records (a leader's Accepts and Commits: a value it
 *       proposes in a ballot whose own promise is already durable, and what a majority of durable votes chose). To a
 *       peer it may leave at once, while the Ready's records are being made durable; to this node it is handled at
 *       once.</li>
 * </ul>
 */
public final class Outbox {
    private final int self;
    private final Quorum quorum;
    private final ArrayDeque<Message> toSelf = new ArrayDeque<>();
    private List<Durable> records = new ArrayList<>();
    private List<Envelope> messages = new ArrayList<>();
    private List<Envelope> eager = new ArrayList<>();
    private List<Envelope> ownVotes = new ArrayList<>();
    private boolean mustSync;

    public Outbox(int self, Quorum quorum) {
        this.self = self;
        this.quorum = quorum;
    }

    public int self() {
        return self;
    }

    public Quorum quorum() {
        return quorum;
    }

    /** Queues a record that may be written lazily: it need not be synced before the Ready takes effect. */
    public void persist(Durable record) {
        records.add(record);
    }

    /** Queues a record that must be synced before anything in the Ready takes effect. */
    public void persistSynced(Durable record) {
        records.add(record);
        mustSync = true;
    }

    public void send(int to, Message message) {
        if (to == self) {
            toSelf.addLast(message);
        } else {
            messages.add(new Envelope(self, to, message));
        }
    }

    /** Sends an acceptor's answer: it takes effect, at a peer or at this node, only once the records are durable. */
    public void vote(int to, Message message) {
        if (to == self) {
            ownVotes.add(new Envelope(self, self, message));
        } else {
            messages.add(new Envelope(self, to, message));
        }
    }

    /** Sends a message that depends on no record of this Ready: to a peer it may leave before they are durable. */
    public void sendEager(int to, Message message) {
        if (to == self) {
            toSelf.addLast(message);
        } else {
            eager.add(new Envelope(self, to, message));
        }
    }

    /** Sends {@code message} to every member, this node included. */
    public void broadcast(Message message) {
        for (int member : quorum.members()) {
            send(member, message);
        }
    }

    /** {@link #sendEager} to every member, this node included. */
    public void broadcastEager(Message message) {
        for (int member : quorum.members()) {
            sendEager(member, message);
        }
    }

    /** {@link #sendEager} to every member but this node. */
    public void sendToPeersEager(Message message) {
        for (int member : quorum.members()) {
            if (member != self) {
                sendEager(member, message);
            }
        }
    }

    /** The next message this node sent itself, or null. */
    public Message pollSelf() {
        return toSelf.pollFirst();
    }

    public boolean isEmpty() {
        return records.isEmpty() && messages.isEmpty() && eager.isEmpty() && ownVotes.isEmpty() && toSelf.isEmpty();
    }

    public List<Durable> records() {
        return records;
    }

    public List<Envelope> messages() {
        return messages;
    }

    /** Messages to peers that may leave before this Ready's records are durable. */
    public List<Envelope> eager() {
        return eager;
    }

    /** This node's acceptor's answers to its own proposer, to be given back once the records are durable. */
    public List<Envelope> ownVotes() {
        return ownVotes;
    }

    public boolean mustSync() {
        return mustSync;
    }

    /** Forgets everything handed out in the last Ready; called by advance(). */
    public void clear() {
        if (!toSelf.isEmpty()) {
            throw new IllegalStateException("self messages must be handled before a Ready is cut");
        }
        records = new ArrayList<>();
        messages = new ArrayList<>();
        eager = new ArrayList<>();
        ownVotes = new ArrayList<>();
        mustSync = false;
    }
}
