package io.synod.sim.bugs;

import io.synod.kv.Entry;
import io.synod.kv.Item;
import io.synod.kv.KvStore;
import java.util.List;
import java.util.Optional;

/** A store that forwards everything to another: planted bugs override the one method they break. */
class ForwardingStore implements KvStore {
    final KvStore delegate;

    ForwardingStore(KvStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public byte[] apply(long slot, byte[] command) {
        return delegate.apply(slot, command);
    }

    @Override
    public Optional<Entry> get(byte[] key) {
        return delegate.get(key);
    }

    @Override
    public List<Item> list(byte[] prefix, int limit) {
        return delegate.list(prefix, limit);
    }

    @Override
    public long revision() {
        return delegate.revision();
    }

    @Override
    public Snapshot snapshot() {
        return delegate.snapshot();
    }

    @Override
    public void restore(SnapshotSource source) {
        delegate.restore(source);
    }
}
