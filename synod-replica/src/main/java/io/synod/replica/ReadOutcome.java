package io.synod.replica;

import io.synod.core.Ready;

/** How a read ordered through the log's leader (ReadIndex) ended, as the replica reports it to the caller. */
public sealed interface ReadOutcome {
    /** The read may be answered once every slot below {@code index} is applied here. */
    record Indexed(long index) implements ReadOutcome {}

    /** The node would not order it (not the master, too many waiting); nothing happened, retry elsewhere or later. */
    record Refused(Ready.Reason reason) implements ReadOutcome {}

    /** The node stopped (or its disk filled up) before the read was ordered. */
    record Lost() implements ReadOutcome {}
}
