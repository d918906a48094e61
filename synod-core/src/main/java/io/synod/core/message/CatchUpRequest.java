package io.synod.core.message;

/**
 * Asks one peer for chosen values from {@code fromSlot} on. No quorum is needed: in the crash-fault model a node reports
 * a value as chosen only if a majority accepted it (seed 001, "Catching up lagging nodes").
 */
public record CatchUpRequest(long fromSlot) implements Message {}
