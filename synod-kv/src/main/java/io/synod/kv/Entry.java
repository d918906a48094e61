package io.synod.kv;

import java.util.Arrays;

/**
 * A key's current value and version, as {@link KvStateMachine#get} returns it.
 *
 * <p>The value array is the state machine's own, shared to spare a copy of up to a megabyte per read: callers must
 * never modify it. Two entries are equal when their values hold the same bytes and their versions are equal.
 *
 * @param value the bytes last written
 * @param version the revision of the command that last wrote the key (see {@link KvStateMachine#revision()})
 */
public record Entry(byte[] value, long version) {
    public Entry {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Entry entry && version == entry.version && Arrays.equals(value, entry.value);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Entry(" + value.length + " bytes, version " + version + ")";
    }
}
