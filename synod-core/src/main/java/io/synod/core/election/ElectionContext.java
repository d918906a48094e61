package io.synod.core.election;

import io.synod.core.NodeConfig;
import io.synod.core.Role;
import io.synod.core.message.ElectionMessage;
import java.util.random.RandomGenerator;

/**
 * What the {@link io.synod.core.Node} offers its election: messages of its own, a view of the log, the right to make
 * the proposer lead or step down, and commands of its own kind in the log.
 *
 * <p>Contract: implemented by the node, handed to {@link Election.Factory#create} once. The election may call it only
 * from inside one of its own methods, which the node calls on its protocol thread during {@code Node.step}; it must not
 * keep calling it from anywhere else. Effects are part of the Ready the node cuts next. An election has no records of
 * its own, so its messages are eager ({@link io.synod.core.Ready#eagerMessages()}): they leave at once, not after
 * the Ready's records are durable — a lease renewal is neither delayed by a sync nor overtaken by the leader's own
 * eager Commits (a lease acceptor refuses a proposal whose commit index is behind its own).
 */
public interface ElectionContext {
    /** The node's configuration: its id, members, {@code leaseMs} and {@code maxDriftMs} among them. */
    NodeConfig config();

    /** The node's seeded random source; the only randomness an election may use. */
    RandomGenerator random();

    /** The node's log, read-only. */
    LogView log();

    /**
     * Sends {@code message} to member {@code to}. A message to this node itself is delivered to the election's own
     * {@link Election#onMessage} before the current step ends, like any peer's (so its own acceptor votes).
     */
    void send(int to, ElectionMessage message);

    /** Sends {@code message} to every member, this node included. */
    void broadcast(ElectionMessage message);

    /**
     * Makes this node's proposer run phase 1 now, for every slot from its commit index, even with no client command
     * waiting (as a new master must). Does nothing if it is already candidate or leader. The election hears how it
     * ends through {@link Election#onElected} or {@link Election#onPreempted}.
     */
    void lead(long nowMs);

    /** Makes this node's proposer stop being candidate or leader now. Does nothing if it is a follower. */
    void stepDown(long nowMs);

    /** Where this node's proposer stands now. */
    Role role();

    /**
     * Puts a command of the election's own kind ({@link io.synod.core.Command.Kind#ELECTION}) in the queue for the
     * log, ahead of client commands, in place of any of its commands still waiting there (only the newest wish
     * matters). The replica never hands it to the state machine; every node hears it in slot order
     * through {@link Election#onChosen} once chosen. A command may be lost (this node stops leading before it is
     * chosen, say): the election must not count on it until it hears it chosen. Returns false if the queue is full.
     *
     * @param requestId the command's id ({@link io.synod.core.Command#requestId()}), drawn from {@link #random()}: the
     *     election tells its own request from an equal payload (one of an earlier run of this node, say) by it
     */
    boolean propose(long requestId, byte[] payload);
}
