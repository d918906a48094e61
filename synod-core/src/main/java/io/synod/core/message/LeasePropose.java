package io.synod.core.message;

import io.synod.core.Ballot;

/**
 * Lease phase 2: the sender proposes that {@code holder} holds the lease for {@code leaseMs}, in lease ballot
 * {@code ballot}. {@code firstUnchosen} is the sender's first unchosen log slot, so an acceptor can refuse a requester
 * that is behind its own log (seed 000).
 */
public record LeasePropose(Ballot ballot, int holder, long leaseMs, long firstUnchosen) implements ElectionMessage {}
