package io.synod.core.message;

import io.synod.core.LogEntry;
import java.util.List;

/**
 * Chosen values for consecutive slots starting at the requested slot (possibly none), bounded in count and bytes, and
 * the sender's commit index so the receiver knows whether to ask for more.
 *
 * @param snapshotSlot when the requested slot is below what the sender still holds, the slot of the sender's newest
 *     snapshot, which the receiver should fetch instead (with {@link SnapshotRequest}); otherwise -1
 */
public record CatchUpReply(long committed, List<LogEntry> entries, long snapshotSlot) implements Message {
    public CatchUpReply {
        entries = List.copyOf(entries);
    }

    public CatchUpReply(long committed, List<LogEntry> entries) {
        this(committed, entries, -1);
    }
}
