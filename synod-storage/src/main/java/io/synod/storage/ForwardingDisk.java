package io.synod.storage;

import java.io.IOException;
import java.util.List;

/**
 * A {@link Disk} that forwards everything to another one, with hooks before each write and each fsync: the base of
 * fault-injecting disks in tests (a disk that fills up, an fsync that fails) under a real node.
 *
 * <p>Contract: the same as the disk it wraps; the hooks run on the calling thread and may throw what the wrapped
 * method may throw.
 */
public class ForwardingDisk implements Disk {
    private final Disk delegate;

    public ForwardingDisk(Disk delegate) {
        this.delegate = delegate;
    }

    /**
     * Called before {@code length} bytes are appended to {@code file}. Returns how many of them to write before
     * failing with a {@link DiskFullException}, or {@code length} (the default) to write them all.
     */
    protected int writableBytes(String file, int length) {
        return length;
    }

    /** Called before {@code file} is forced; throw to fail the fsync. */
    protected void beforeForce(String file) throws IOException {
    }

    /** Forces {@code file} (named {@code name}): runs {@link #beforeForce}, then forces it. */
    protected void force(String name, DiskFile file) throws IOException {
        beforeForce(name);
        file.force();
    }

    @Override
    public DiskFile open(String name) throws IOException {
        return new ForwardingFile(name, delegate.open(name));
    }

    @Override
    public DiskFile openExisting(String name) throws IOException {
        return new ForwardingFile(name, delegate.openExisting(name));
    }

    @Override
    public boolean exists(String name) throws IOException {
        return delegate.exists(name);
    }

    @Override
    public List<String> list() throws IOException {
        return delegate.list();
    }

    @Override
    public void rename(String from, String to) throws IOException {
        delegate.rename(from, to);
    }

    @Override
    public void delete(String name) throws IOException {
        delegate.delete(name);
    }

    @Override
    public void syncDirectory() throws IOException {
        delegate.syncDirectory();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    private final class ForwardingFile implements DiskFile {
        private final String name;
        private final DiskFile file;

        ForwardingFile(String name, DiskFile file) {
            this.name = name;
            this.file = file;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public void append(byte[] bytes, int offset, int length) throws IOException {
            int writable = writableBytes(name, length);
            if (writable < length) {
                file.append(bytes, offset, Math.max(0, writable)); // a full disk writes what fits, then fails
                throw new DiskFullException("No space left on device writing " + name);
            }
            file.append(bytes, offset, length);
        }

        @Override
        public void force() throws IOException {
            ForwardingDisk.this.force(name, file);
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
    }
}
