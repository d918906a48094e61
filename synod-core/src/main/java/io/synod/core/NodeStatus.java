package io.synod.core;

import io.synod.core.paxos.Ballot;
import io.synod.core.paxos.Proposer;
import java.util.Map;

/**
 * A snapshot of one node's protocol state.
 *
 * @param leader the node this one last saw leading (itself if it leads), or -1
 * @param master the master according to the election strategy, or -1
 * @param election the election strategy's name
 * @param peerCommitted the commit index each peer last reported in a message to this node
 */
public record NodeStatus(
        int nodeId,
        Proposer.Role role,
        Ballot ballot,
        Ballot promised,
        int leader,
        long firstRetained,
        long committed,
        long applied,
        int pendingCommands,
        int master,
        String election,
        Map<Integer, Long> peerCommitted) {}
