package io.synod.sim.bugs;

import io.synod.storage.Disk;
import io.synod.storage.ForwardingDisk;

/** A disk that never syncs its directory: created and renamed files may vanish in a crash. */
public final class SkipsDirectorySync extends ForwardingDisk {
    public SkipsDirectorySync(Disk delegate) {
        super(delegate);
    }

    @Override
    public void syncDirectory() {
        // Planted bug: the directory is never synced.
    }
}
