package io.synod.core.message;

/**
 * Asks a peer for the bytes of its snapshot taken at {@code snapshotSlot}, from {@code offset} on (one bounded chunk).
 * Sent by a node that needs slots the peer has compacted away; re-sent with the same offset if the chunk is lost.
 */
public record SnapshotRequest(long snapshotSlot, long offset) implements Message {}
