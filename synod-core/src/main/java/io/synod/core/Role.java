package io.synod.core;

/** Where a node stands in driving the log, as {@link NodeStatus} reports it. */
public enum Role {
    /** Not proposing: it votes, learns and catches up. */
    FOLLOWER,
    /** Running phase 1 in its own ballot. */
    CANDIDATE,
    /** Won phase 1: runs phase 2 only, until a higher ballot turns up. */
    LEADER
}
