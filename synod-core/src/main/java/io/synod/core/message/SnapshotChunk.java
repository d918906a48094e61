package io.synod.core.message;

import java.util.Arrays;

/**
 * One chunk of a snapshot: {@code data} holds bytes {@code offset .. offset + data.length} of the snapshot taken at
 * {@code snapshotSlot}, which is {@code totalBytes} long. A peer that no longer has that snapshot answers with a chunk
 * of its newest one, and the receiver starts over. {@code data} is never modified.
 */
public record SnapshotChunk(long snapshotSlot, long offset, long totalBytes, byte[] data) implements Message {
    @Override
    public boolean equals(Object o) {
        return o instanceof SnapshotChunk c && snapshotSlot == c.snapshotSlot && offset == c.offset
                && totalBytes == c.totalBytes && Arrays.equals(data, c.data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(snapshotSlot * 31 + offset) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "SnapshotChunk[slot=" + snapshotSlot + ", offset=" + offset + ", total=" + totalBytes + ", "
                + data.length + "B]";
    }
}
