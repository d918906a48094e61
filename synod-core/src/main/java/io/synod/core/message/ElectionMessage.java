package io.synod.core.message;

/**
 * The messages of master elections (DESIGN.md {@code --election}). The node routes every one of them, whole, to its
 * {@link io.synod.core.election.Election} and never looks inside; the Paxos roles never see them.
 *
 * <p>The family is shaped for PaxosLease (seed 000; Trencseni, Gazsó, Reinhardt 2012): a proposer asks the acceptors
 * to promise a lease ballot, proposes itself as lease holder for a time, and releases the lease early on a clean
 * shutdown. Lease ballots are {@link io.synod.core.Ballot}s of their own, unrelated to the log's. An election that
 * needs other messages adds them here, with their frames in {@code peer.proto}.
 */
public sealed interface ElectionMessage extends Message
        permits LeasePrepare, LeasePromise, LeasePropose, LeaseAccepted, LeaseRelease {}
