package io.synod.core;

/** A slot and the value chosen for it. */
public record LogEntry(long slot, Value value) {
    public LogEntry {
        if (slot < 0) {
            throw new IllegalArgumentException("slot must be >= 0, got " + slot);
        }
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
    }
}
