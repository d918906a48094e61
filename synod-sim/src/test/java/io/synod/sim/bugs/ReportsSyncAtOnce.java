package io.synod.sim.bugs;

import io.synod.sim.ForwardingStorage;
import io.synod.storage.Storage;

/**
 * A node that lets a Ready's messages, applies and answers out as soon as it asks for the sync, while the sync runs:
 * it sends before it persists.
 */
public final class ReportsSyncAtOnce extends ForwardingStorage {
    public ReportsSyncAtOnce(Storage delegate) {
        super(delegate);
    }

    @Override
    public boolean sync(long ticket) {
        delegate.sync(ticket);
        return true;
    }
}
