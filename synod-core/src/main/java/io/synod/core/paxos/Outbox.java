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
 * <p>A message to self never leaves the node: it is queued here and the node handles it before the Ready is cut, so the
 * node's own acceptor votes like any other. That is safe because nothing in a Ready takes effect outside the node
 * until the Ready's records are durable.
 */
public final class Outbox {
    private final int self;
    private final Quorum quorum;
    private final ArrayDeque<Message> toSelf = new ArrayDeque<>();
    private List<Durable> records = new ArrayList<>();
    private List<Envelope> messages = new ArrayList<>();
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

    /** Sends {@code message} to every member, this node included. */
    public void broadcast(Message message) {
        for (int member : quorum.members()) {
            send(member, message);
        }
    }

    /** Sends {@code message} to every member but this node. */
    public void sendToPeers(Message message) {
        for (int member : quorum.members()) {
            if (member != self) {
                send(member, message);
            }
        }
    }

    /** The next message this node sent itself, or null. */
    public Message pollSelf() {
        return toSelf.pollFirst();
    }

    public boolean isEmpty() {
        return records.isEmpty() && messages.isEmpty() && toSelf.isEmpty();
    }

    public List<Durable> records() {
        return records;
    }

    public List<Envelope> messages() {
        return messages;
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
        mustSync = false;
    }
}
