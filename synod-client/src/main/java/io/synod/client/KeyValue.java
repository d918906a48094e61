package io.synod.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A key's value as a read found it.
 *
 * @param key the key
 * @param value the value's bytes (the record keeps its own copy; {@link #value()} returns a copy)
 * @param version the key's version: the revision of the write that last set it ({@code ETag})
 * @param slot the highest slot the answering node had applied when it read ({@code X-Synod-Slot}; for a list, the
 *     list's slot)
 */
public record KeyValue(String key, byte[] value, long version, long slot) {
    /** Copies the value. */
    public KeyValue {
        Objects.requireNonNull(key, "key");
        value = value.clone();
    }

    /** A copy of the value's bytes. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The value decoded as UTF-8 (malformed bytes become U+FFFD). */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    /** Equal key, value bytes, version and slot. */
    @Override
    public boolean equals(Object other) {
        return other instanceof KeyValue that && key.equals(that.key) && Arrays.equals(value, that.value)
                && version == that.version && slot == that.slot;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), version, slot);
    }

    @Override
    public String toString() {
        return "KeyValue[key=" + key + ", value=" + value.length + " bytes, version=" + version + ", slot=" + slot + "]";
    }
}
