package io.synod.core;


/**
 * A fact the node must write to stable storage. The replica loop persists every record of a {@link Ready} (and syncs
 * it when {@link Ready#mustSync()} says so) before anything else in that Ready takes effect.
 *
 * <p>Replaying the records in the order they were written, through {@link DurableState#replay}, rebuilds what the
 * acceptor promised and accepted and what the learner knows chosen.
 */
public sealed interface Durable {
    /** The acceptor promised {@code ballot}: it will accept nothing below it, in any slot. Must be synced. */
    record Promised(Ballot ballot) implements Durable {}

    /** The acceptor accepted {@code value} for {@code slot} in {@code ballot}; this implies a promise of it. Must be synced. */
    record Accepted(long slot, Ballot ballot, Value value) implements Durable {}

    /**
     * The node knows {@code value} is chosen for {@code slot}. Need not be synced: a chosen value is durable on a
     * majority already, and a node that loses this record learns it again.
     */
    record Chosen(long slot, Value value) implements Durable {}
}
