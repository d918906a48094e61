package io.synod.sim;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import io.synod.core.StateMachine;
import io.synod.storage.Storage;
import java.util.List;

/**
 * A {@link Storage} that forwards every call to another: the base of the simulator's checking storage and of the
 * storage decorators planted-bug tests put in {@link Seams}. Subclasses override what they watch or break.
 */
public class ForwardingStorage implements Storage {
    protected final Storage delegate;

    public ForwardingStorage(Storage delegate) {
        this.delegate = delegate;
    }

    @Override
    public void append(List<Durable> records) {
        delegate.append(records);
    }

    @Override
    public boolean sync(long ticket) {
        return delegate.sync(ticket);
    }

    @Override
    public DurableState recover() {
        return delegate.recover();
    }

    @Override
    public long saveSnapshot(long slot, StateMachine.Snapshot snapshot) {
        return delegate.saveSnapshot(slot, snapshot);
    }

    @Override
    public byte[] readSnapshot(long slot, long offset, int maxBytes) {
        return delegate.readSnapshot(slot, offset, maxBytes);
    }

    @Override
    public void writeSnapshotChunk(long slot, long offset, byte[] data) {
        delegate.writeSnapshotChunk(slot, offset, data);
    }

    @Override
    public boolean finishSnapshot(long slot, long totalBytes) {
        return delegate.finishSnapshot(slot, totalBytes);
    }

    @Override
    public StateMachine.SnapshotSource openSnapshot(long slot) {
        return delegate.openSnapshot(slot);
    }

    @Override
    public void compact(long retainFrom) {
        delegate.compact(retainFrom);
    }
}
