package io.synod.core;

/**
 * A proposal number: a round counter and the id of the node that owns it. Ballots are totally ordered by round, then
 * node id, so two nodes never own the same ballot (seed 004, "Phase 1"; seed 003, composable Paxos).
 *
 * <p>{@link #ZERO} is below every ballot a node can own: rounds of real ballots start at 1.
 */
public record Ballot(long round, int nodeId) implements Comparable<Ballot> {
    /** The ballot below every real ballot: nothing has been promised or accepted yet. */
    public static final Ballot ZERO = new Ballot(0, -1);

    public Ballot {
        if (round < 0) {
            throw new IllegalArgumentException("ballot round must be >= 0, got " + round);
        }
        if (round == 0 && nodeId != -1) {
            throw new IllegalArgumentException("round 0 is reserved for Ballot.ZERO");
        }
    }

    /** The smallest ballot owned by {@code nodeId} that is above {@code this}. */
    public Ballot next(int owner) {
        return new Ballot(round + 1, owner);
    }

    public boolean isZero() {
        return round == 0;
    }

    public boolean greaterThan(Ballot other) {
        return compareTo(other) > 0;
    }

    public boolean atLeast(Ballot other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(Ballot other) {
        int byRound = Long.compare(round, other.round);
        return byRound != 0 ? byRound : Integer.compare(nodeId, other.nodeId);
    }

    @Override
    public String toString() {
        return isZero() ? "b0" : "b" + round + "." + nodeId;
    }
}
