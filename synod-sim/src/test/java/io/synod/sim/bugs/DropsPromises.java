package io.synod.sim.bugs;

import io.synod.core.Durable;
import io.synod.sim.ForwardingStorage;
import io.synod.storage.Storage;
import java.util.List;

/**
 * A node that never writes its promises down: after a restart its acceptor has forgotten every ballot it promised
 * without accepting in it, and may accept below it.
 */
public final class DropsPromises extends ForwardingStorage {
    public DropsPromises(Storage delegate) {
        super(delegate);
    }

    @Override
    public void append(List<Durable> records) {
        delegate.append(records.stream().filter(record -> !(record instanceof Durable.Promised)).toList());
    }
}
