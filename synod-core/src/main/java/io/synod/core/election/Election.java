package io.synod.core.election;

import io.synod.core.Ballot;
import io.synod.core.Command;
import io.synod.core.message.ElectionMessage;

/**
 * The master election: the role that decides who drives the log (seed 003: master strategies are swappable; DESIGN.md
 * {@code --election}). It is a role of the node like the acceptor or the proposer: it has messages of its own, its own
 * timers, a view of the log, the right to make the proposer lead or step down, commands of its own kind in the log, and
 * an output, the {@link Mastership}, that goes into {@code NodeStatus}.
 *
 * <p>Contract for every method: called only by the {@link io.synod.core.Node} that owns the election, on that node's
 * single protocol thread, from inside {@code Node.step} (or {@code Node.status}/{@code wakeAtMs}, which only read).
 * Implementations never block, never perform I/O and never read a clock: the time is always the {@code nowMs} argument,
 * the node's monotonic clock as fed to {@code Node.step}, which never goes backwards. They act on the world only through
 * the {@link ElectionContext} they were built with. They do not throw for any input the node passes; a broken invariant
 * of their own is an {@link io.synod.core.InvariantViolation}.
 */
public interface Election {
    /** The master's id when no master is known. */
    int NO_MASTER = -1;

    /** Builds an election for one node. Called once, by the node's constructor. */
    @FunctionalInterface
    interface Factory {
        Election create(ElectionContext context);
    }

    /** The election's name as the CLI spells it ({@code none}, {@code paxoslease}, {@code log}). */
    String name();

    /**
     * A message of the election family arrived from member {@code from} (possibly this node itself). Called for every
     * such message, late, duplicated or reordered as the network delivers it. May send, lead, step down, propose.
     */
    void onMessage(int from, ElectionMessage message, long nowMs);

    /** Time passed: run whatever timer is due. Called on every step, after the input is handled. */
    void tick(long nowMs);

    /**
     * When the election next needs {@link #tick} by time alone ({@code Long.MAX_VALUE} if never). Called after every
     * step; must only read.
     */
    long wakeAtMs();

    /**
     * Whether a follower with work (client commands, or accepted slots left unresolved) may start phase 1 at
     * {@code nowMs} on its own. Elections with a master say no to everyone but the master, which they make lead with
     * {@link ElectionContext#lead} instead.
     */
    boolean mayCampaign(long nowMs);

    /** The earliest time at which {@link #mayCampaign} may turn true, or {@code Long.MAX_VALUE}; must only read. */
    long nextCampaignAtMs(long nowMs);

    /**
     * Whether this node may take a new client command into its queue at {@code nowMs}. A refused command is answered
     * {@code NOT_MASTER} and nothing of it enters the log.
     */
    boolean acceptsProposals(long nowMs);

    /**
     * Whether this node's acceptor may answer a Paxos Prepare of {@code ballot} from {@code from} at {@code nowMs}. A
     * PaxosLease acceptor refuses prepares from anyone but the holder while it sees a live lease. A refused prepare
     * is dropped unanswered. Must only read.
     */
    boolean allowsPrepare(int from, Ballot ballot, long nowMs);

    /** This node's phase 1 succeeded: its proposer now leads the log. */
    void onElected(long nowMs);

    /** A value this node proposed as leader was chosen: its leadership is doing useful work. */
    void onProgress(long nowMs);

    /** This node's proposer stopped being candidate or leader (a higher ballot, a phase 1 timeout, or a step-down). */
    void onPreempted(long nowMs);

    /**
     * A command of the election's kind was chosen in {@code slot}. Called on every node in slot order, once per command,
     * when the commit index passes the slot (not for slots a snapshot covers).
     */
    void onChosen(long slot, Command command, long nowMs);

    /**
     * The node is about to stop cleanly ({@link io.synod.core.Input.Release}): give up what this node holds, so a
     * successor need not wait for it to run out (a planned handover), and take no further part.
     */
    void release(long nowMs);

    /**
     * The election's state as of {@code slot}: what it learned from commands of its kind in slots below it. Written
     * into the snapshot at {@code slot}, so a node that starts from that snapshot can {@link #restore} it. Elections
     * that keep nothing in the log answer an empty array. Must only read.
     */
    byte[] stateAt(long slot);

    /**
     * The node starts from (or installed) the snapshot at {@code slot}, which held {@code state} from
     * {@link #stateAt}; commands of the election's kind in later slots follow through {@link #onChosen}.
     */
    void restore(long slot, byte[] state);

    /** Who is master at {@code nowMs}, and whether this node may read locally; must only read. */
    Mastership mastership(long nowMs);
}
