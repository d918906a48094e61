package io.synod.core.paxos;

import java.util.List;

/**
 * Majority arithmetic over a fixed member list. Votes are a bit set over member positions, so a member counts once
 * however many times its vote arrives.
 */
public final class Quorum {
    private final List<Integer> members;

    public Quorum(List<Integer> members) {
        if (members.isEmpty() || members.size() > 63) {
            throw new IllegalArgumentException("a cluster has 1 to 63 members, got " + members.size());
        }
        if (members.stream().distinct().count() != members.size()) {
            throw new IllegalArgumentException("member ids must be distinct: " + members);
        }
        this.members = List.copyOf(members);
    }

    public List<Integer> members() {
        return members;
    }

    public int size() {
        return members.size();
    }

    /** The number of votes that make a majority: floor(n/2) + 1. */
    public int majority() {
        return members.size() / 2 + 1;
    }

    public boolean isMember(int nodeId) {
        return members.contains(nodeId);
    }

    /** Adds {@code nodeId}'s vote to {@code votes}. A non-member's vote is ignored. */
    public long addVote(long votes, int nodeId) {
        int position = members.indexOf(nodeId);
        return position < 0 ? votes : votes | (1L << position);
    }

    public boolean hasVoted(long votes, int nodeId) {
        int position = members.indexOf(nodeId);
        return position >= 0 && (votes & (1L << position)) != 0;
    }

    public boolean isMajority(long votes) {
        return Long.bitCount(votes) >= majority();
    }
}
