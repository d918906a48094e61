package io.synod.storage;

import java.io.IOException;
import java.util.List;

/** A real disk that can be told to run out of space or to fail its next fsync, for fault tests. */
final class FaultyDisk implements Disk {
    private final Disk real;
    volatile long spaceLeft = Long.MAX_VALUE;
    volatile boolean failNextForce;

    FaultyDisk(Disk real) {
        this.real = real;
    }

    @Override
    public DiskFile open(String name) throws IOException {
        return wrap(real.open(name));
    }

    @Override
    public DiskFile openExisting(String name) throws IOException {
        return wrap(real.openExisting(name));
    }

    private DiskFile wrap(DiskFile file) {
        return new DiskFile() {
            @Override
            public long size() throws IOException {
                return file.size();
            }

            @Override
            public void append(byte[] bytes, int offset, int length) throws IOException {
                if (length > spaceLeft) {
                    int fits = (int) Math.max(0, spaceLeft);
                    file.append(bytes, offset, fits);
                    spaceLeft = 0;
                    throw new DiskFullException("no space left (test)");
                }
                if (spaceLeft != Long.MAX_VALUE) {
                    spaceLeft -= length;
                }
                file.append(bytes, offset, length);
            }

            @Override
            public void force() throws IOException {
                if (failNextForce) {
                    failNextForce = false;
                    throw new IOException("fsync failed (test)");
                }
                file.force();
            }

            @Override
            public int read(long position, byte[] buffer, int offset, int length) throws IOException {
                return file.read(position, buffer, offset, length);
            }

            @Override
            public void truncate(long size) throws IOException {
                file.truncate(size);
            }

            @Override
            public void close() throws IOException {
                file.close();
            }
        };
    }

    @Override
    public boolean exists(String name) throws IOException {
        return real.exists(name);
    }

    @Override
    public List<String> list() throws IOException {
        return real.list();
    }

    @Override
    public void rename(String from, String to) throws IOException {
        real.rename(from, to);
    }

    @Override
    public void delete(String name) throws IOException {
        real.delete(name);
    }

    @Override
    public void syncDirectory() throws IOException {
        real.syncDirectory();
    }

    @Override
    public String describe() {
        return real.describe();
    }
}
