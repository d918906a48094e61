package io.synod.client;

import java.util.List;

/**
 * The keys under a prefix: {@code 200 {"items":[{"key","value","version"}...],"slot":N}}.
 *
 * @param items the keys in key order, at most the limit asked for (each with the list's {@code slot})
 * @param slot the highest slot the answering node had applied when it listed
 */
public record ListResult(List<KeyValue> items, long slot) {
    /** Copies the items. */
    public ListResult {
        items = List.copyOf(items);
    }
}
