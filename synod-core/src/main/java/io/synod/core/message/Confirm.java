package io.synod.core.message;

import io.synod.core.Ballot;

/**
 * ReadIndex (DESIGN.md §1, {@code quorum} reads): the leader of {@code ballot} asks whether the receiver still
 * accepts its leadership, for confirmation round {@code round}. One round serves every read waiting when it began.
 */
public record Confirm(Ballot ballot, long round) implements Message {}
