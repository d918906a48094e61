package io.synod.server;

/**
 * What the node knows of its peers' connections, for the API and the no-quorum rule: whether a peer looks alive and
 * where its HTTP API is. Implemented over the peer transport; any thread; never blocks.
 */
interface Peers {
    /** Whether {@code peer}'s connection is up and it was heard from recently. */
    boolean isReachable(int peer);

    /** The HTTP URL {@code peer} advertised (this node's own for its own id), or null if not known yet. */
    String httpUrl(int peer);
}
