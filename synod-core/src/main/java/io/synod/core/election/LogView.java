package io.synod.core.election;

/** A read-only view of the node's log, for its election. Reads the node's state as it is at the moment of the call. */
public interface LogView {
    /** The first slot not known chosen: every slot below it is (the commit index). */
    long firstUnchosen();

    /** Every slot below this has been handed out to be applied, in slot order ({@code <= firstUnchosen()}). */
    long handedOut();

    /** The highest commit index any peer has reported to this node (this node's own if higher). */
    long highestKnownCommitted();
}
