package io.synod.kv;

import java.util.Arrays;

/**
 * One key of a prefix listing ({@link KvStateMachine#list}): the key, its value and its version.
 *
 * <p>The arrays are the state machine's own, shared to spare copies: callers must never modify them. Two items are
 * equal when their keys and values hold the same bytes and their versions are equal.
 *
 * @param key the key's bytes
 * @param value the bytes last written
 * @param version the revision of the command that last wrote the key
 */
public record Item(byte[] key, byte[] value, long version) {
    public Item {
        if (key == null || value == null) {
            throw new IllegalArgumentException("key and value must not be null");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Item item
                && version == item.version
                && Arrays.equals(key, item.key)
                && Arrays.equals(value, item.value);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(version) * 31 + Arrays.hashCode(key)) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Item(" + key.length + "-byte key, " + value.length + " bytes, version " + version + ")";
    }
}
