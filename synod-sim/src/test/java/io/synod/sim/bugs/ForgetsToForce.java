package io.synod.sim.bugs;

import io.synod.storage.Disk;
import io.synod.storage.ForwardingDisk;

/**
 * A disk whose fsync of log segments returns at once without forcing anything: the storage acknowledges records that
 * are not durable.
 */
public final class ForgetsToForce extends ForwardingDisk {
    public ForgetsToForce(Disk delegate) {
        super(delegate);
    }

    @Override
    protected void force(String name, DiskFile file) throws java.io.IOException {
        if (!name.startsWith("wal-")) {
            super.force(name, file); // planted bug: only the log's segments go unforced
        }
    }
}
