package io.synod.storage;

import java.io.IOException;

/** A real disk that can be told to run out of space or to fail its next fsync, for fault tests. */
final class FaultyDisk extends ForwardingDisk {
    volatile long spaceLeft = Long.MAX_VALUE;
    volatile boolean failNextForce;

    FaultyDisk(Disk real) {
        super(real);
    }

    @Override
    protected int writableBytes(String file, int length) {
        if (spaceLeft == Long.MAX_VALUE) {
            return length;
        }
        int writable = (int) Math.min(length, spaceLeft);
        spaceLeft -= writable;
        return writable;
    }

    @Override
    protected void beforeForce(String file) throws IOException {
        if (failNextForce) {
            failNextForce = false;
            throw new IOException("fsync failed (test)");
        }
    }
}
