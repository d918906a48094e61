package io.synod.core.message;

import io.synod.core.Ballot;

/**
 * Phase 1a for every slot at or above {@code fromSlot} at once (leader mode, seed 004 "Multi-Paxos"): the proposer asks
 * acceptors to promise {@code ballot} and to report what they have accepted from {@code fromSlot} on.
 */
public record Prepare(Ballot ballot, long fromSlot) implements Message {}
