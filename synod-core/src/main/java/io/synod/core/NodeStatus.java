package io.synod.core;

import io.synod.core.election.Mastership;
import java.util.Map;

/**
 * A snapshot of one node's protocol state.
 *
 * @param role where this node's proposer stands
 * @param leader the node this one last saw leading (itself if it leads), or -1
 * @param firstRetained chosen values below this slot are compacted away
 * @param committed the commit index: every slot below it is known chosen
 * @param handedOut every slot below it was handed out in a Ready to be applied (the replica's applied slot may lag)
 * @param mastership the election's output: who is master, and until when this node may read locally
 * @param election the election strategy's name
 * @param peerCommitted the commit index each peer last reported in a message to this node
 */
public record NodeStatus(
        int nodeId,
        Role role,
        Ballot ballot,
        Ballot promised,
        int leader,
        long firstRetained,
        long committed,
        long handedOut,
        int pendingCommands,
        Mastership mastership,
        String election,
        Map<Integer, Long> peerCommitted) {
    /** The master's id, or {@link io.synod.core.election.Election#NO_MASTER}. */
    public int master() {
        return mastership.master();
    }
}
