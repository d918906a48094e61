package io.synod.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link Disk} on a real directory, through {@code java.nio}. */
public final class NioDisk implements Disk {
    private final Path directory;

    /** Uses {@code directory}, creating it (and its parents) if needed. */
    public NioDisk(Path directory) throws IOException {
        this.directory = directory.toAbsolutePath();
        Files.createDirectories(this.directory);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public DiskFile open(String name) throws IOException {
        FileChannel channel = FileChannel.open(resolve(name),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new NioFile(name, channel);
    }

    @Override
    public DiskFile openExisting(String name) throws IOException {
        return new NioFile(name, FileChannel.open(resolve(name), StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    @Override
    public boolean exists(String name) {
        return Files.exists(resolve(name));
    }

    @Override
    public List<String> list() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(path -> names.add(path.getFileName().toString()));
        }
        return names;
    }

    @Override
    public void rename(String from, String to) throws IOException {
        try {
            Files.move(resolve(from), resolve(to), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException unsupported) {
            throw new IOException("the file system of " + directory + " cannot rename atomically", unsupported);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        try {
            Files.delete(resolve(name));
        } catch (NoSuchFileException gone) {
            // Deleting what is not there is not an error.
        }
    }

    @Override
    public void syncDirectory() throws IOException {
        // On Linux a directory opened for reading can be fsynced; that makes its entries durable.
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public String describe() {
        return directory.toString();
    }

    private Path resolve(String name) {
        if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a plain file name: " + name);
        }
        return directory.resolve(name);
    }

    /** Whether an I/O failure means the disk is full (Java gives no errno, only the message). */
    static boolean isNoSpace(IOException failure) {
        String message = failure.getMessage();
        return message != null && (message.contains("No space left") || message.contains("Disk quota exceeded"));
    }

    private final class NioFile implements DiskFile {
        private final String name;
        private final FileChannel channel;

        NioFile(String name, FileChannel channel) {
            this.name = name;
            this.channel = channel;
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void append(byte[] bytes, int offset, int length) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
            long position = channel.size();
            try {
                while (buffer.hasRemaining()) {
                    position += channel.write(buffer, position);
                }
            } catch (IOException failure) {
                if (isNoSpace(failure)) {
                    throw new DiskFullException("disk full writing " + directory.resolve(name), failure);
                }
                throw failure;
            }
        }

        @Override
        public void force() throws IOException {
            channel.force(false);
        }

        @Override
        public int read(long position, byte[] buffer, int offset, int length) throws IOException {
            return channel.read(ByteBuffer.wrap(buffer, offset, length), position);
        }

        @Override
        public void truncate(long size) throws IOException {
            channel.truncate(size);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
