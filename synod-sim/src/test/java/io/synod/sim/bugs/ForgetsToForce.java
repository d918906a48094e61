package io.synod.sim.bugs;

import io.synod.storage.Disk;
import io.synod.storage.ForwardingDisk;

/** A disk whose fsync returns at once without forcing anything: the storage acknowledges what is not durable. */
public final class ForgetsToForce extends ForwardingDisk {
    public ForgetsToForce(Disk delegate) {
        super(delegate);
    }

    @Override
    protected void force(String name, DiskFile file) {
        // Planted bug: nothing is forced.
    }
}
