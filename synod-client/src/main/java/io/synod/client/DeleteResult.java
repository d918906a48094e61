package io.synod.client;

/**
 * A delete that was applied: {@code 200 {"slot":N,"version":V,"deleted":true|false}}.
 *
 * @param slot the log slot the delete was chosen in
 * @param version the revision of the delete itself
 * @param deleted whether the key existed (false: there was nothing to delete)
 */
public record DeleteResult(long slot, long version, boolean deleted) {}
