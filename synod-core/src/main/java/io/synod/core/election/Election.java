package io.synod.core.election;

/**
 * The strategy that decides who drives the log (seed 003: master strategies are swappable; DESIGN.md
 * {@code --election}). The node consults it before it runs phase 1 and before it takes a client command, and tells it
 * how its campaigns end.
 *
 * <p>Contract: called only by the {@link io.synod.core.Node} that owns it, on that node's single protocol thread.
 * Implementations never block, never perform I/O and never read a clock: the time is always the {@code nowMs}
 * argument, the node's clock as fed to {@code Node.step}. They do not throw for any input the node passes.
 */
public interface Election {
    /** Returned by {@link #master} when no master is known. */
    int NO_MASTER = -1;

    /** The strategy's name as the CLI spells it ({@code none}, {@code paxoslease}, {@code log}). */
    String name();

    /** Whether this node may start phase 1 at {@code nowMs} to lead the log. */
    boolean mayCampaign(long nowMs);

    /** The earliest time at which {@link #mayCampaign} may turn true, or {@code Long.MAX_VALUE}. */
    long nextCampaignAtMs(long nowMs);

    /** This node's phase 1 succeeded: it now leads the log. */
    void onElected(long nowMs);

    /** A value this node proposed as leader was chosen: its leadership is doing useful work. */
    void onProgress(long nowMs);

    /** This node's ballot was overtaken by a higher one, or its phase 1 timed out. */
    void onPreempted(long nowMs);

    /** Whether this node may put new client commands into the log at {@code nowMs}. */
    boolean acceptsProposals(long nowMs);

    /** The node this one believes is master at {@code nowMs}, or {@link #NO_MASTER}. */
    int master(long nowMs);
}
