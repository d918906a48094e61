package io.synod.client;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One node's view of itself and its peers: {@code GET /v1/status} (DESIGN.md §1). Fields a node does not report (a
 * read-only node has no ballot, for one) are empty.
 *
 * @param id the node's id
 * @param role {@code master}, {@code follower} or {@code candidate}
 * @param master the master this node knows of
 * @param masterHttp the master's HTTP URL
 * @param lease the lease as this node sees it
 * @param election the election strategy ({@code paxoslease}, {@code log}, {@code none})
 * @param ballot the node's ballot, as text (for example {@code b3.0})
 * @param slots the node's log positions
 * @param peers the other members, by id
 * @param json the whole answer as the server sent it
 */
public record NodeStatus(int id, String role, OptionalInt master, Optional<URI> masterHttp, Lease lease,
        String election, Optional<String> ballot, Slots slots, List<Peer> peers, String json) {

    /** Copies the peers. */
    public NodeStatus {
        Objects.requireNonNull(role, "role");
        peers = List.copyOf(peers);
    }

    /** Whether this node says it is master (it holds the lease). */
    public boolean isMaster() {
        return role.equals("master");
    }

    /**
     * The master lease.
     *
     * @param holder the node this node believes holds it
     * @param remainingMs how long this node may still serve lease reads (0 unless it is master)
     */
    public record Lease(OptionalInt holder, long remainingMs) {}

    /**
     * The node's log positions.
     *
     * @param firstRetained the first slot still in the log (below it: compacted into a snapshot)
     * @param committed the commit index: every slot below it is known chosen
     * @param applied the applied index: the first slot not yet applied
     */
    public record Slots(OptionalLong firstRetained, OptionalLong committed, long applied) {}

    /**
     * Another member as this node sees it.
     *
     * @param id its id
     * @param reachable whether this node hears from it
     * @param applied how far this node knows it to have come, if it knows
     * @param http its HTTP URL, once it has advertised it
     */
    public record Peer(int id, boolean reachable, OptionalLong applied, Optional<URI> http) {}
}
