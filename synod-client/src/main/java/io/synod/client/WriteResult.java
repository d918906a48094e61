package io.synod.client;

/**
 * A put that was applied: {@code 200 {"slot":N,"version":V}}.
 *
 * @param slot the log slot the write was chosen in; pass it as {@link ReadOptions#minSlot} to read your own write on
 *     any node
 * @param version the key's new version: the revision of this write
 */
public record WriteResult(long slot, long version) {}
