package io.synod.core;

import io.synod.core.paxos.Ballot;
import io.synod.core.paxos.Proposer;

/**
 * A snapshot of one node's protocol state.
 *
 * @param leader the node this one last saw leading (itself if it leads), or -1
 * @param master the master according to the election strategy, or -1
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
        int master) {}
