package io.synod.client;

import java.util.Locale;

/** How current a read must be: the {@code consistency=} query parameter of DESIGN.md §1. */
public enum Consistency {
    /**
     * Sees every write acknowledged before the read began (the default). The master answers from its state while its
     * lease holds, else after a quorum round; the client sends the read to the master when it knows it.
     */
    LINEARIZABLE,
    /** The same guarantee without trusting clocks: the master confirms it still leads with a majority round. */
    QUORUM,
    /** Whatever the answering node has applied; may be behind. Any endpoint may answer. */
    STALE;

    /** The parameter's value on the wire: {@code linearizable}, {@code quorum} or {@code stale}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
