package io.synod.core.message;

import io.synod.core.LogEntry;
import java.util.List;

/**
 * Chosen values for consecutive slots starting at the requested slot (possibly none), bounded in count and bytes, and
 * the sender's commit index so the receiver knows whether to ask for more.
 */
public record CatchUpReply(long committed, List<LogEntry> entries) implements Message {
    public CatchUpReply {
        entries = List.copyOf(entries);
    }
}
