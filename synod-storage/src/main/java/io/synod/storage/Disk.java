package io.synod.storage;

import java.io.IOException;
import java.util.List;

/**
 * A directory of files: everything the storage layer asks of a file system, and nothing more. A real implementation
 * ({@link NioDisk}) maps it onto {@code java.nio}; the simulator supplies one that keeps synced and unsynced bytes
 * apart and loses or tears the unsynced ones on a crash.
 *
 * <p>Durability model (POSIX): bytes appended to a file are durable once {@link DiskFile#force} returns; a file's
 * existence, a rename and a delete are durable once {@link #syncDirectory} returns. Until then a crash may undo them.
 *
 * <p>Contract: methods may block on I/O. They throw {@link IOException} on failure, and {@link DiskFullException}
 * (unchecked) when a write fails for lack of space. Names are plain file names inside the directory, no separators.
 * A Disk may be used from several threads, but a given file is appended to from one thread at a time.
 */
public interface Disk {
    /** Opens {@code name} for reading and appending, creating it empty if it does not exist. */
    DiskFile open(String name) throws IOException;

    /**
     * Opens an existing file for reading (and appending).
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     */
    DiskFile openExisting(String name) throws IOException;

    /** Whether {@code name} exists. */
    boolean exists(String name) throws IOException;

    /** The names of the files in the directory, in no particular order. */
    List<String> list() throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
    void rename(String from, String to) throws IOException;

    /** Deletes {@code name}; does nothing if it does not exist. */
    void delete(String name) throws IOException;

    /** Makes the directory's entries (creations, renames, deletions so far) durable. */
    void syncDirectory() throws IOException;

    /** A human-readable location for messages, such as the directory path. */
    String describe();

    /** One open file. Closing it does not sync it. */
    interface DiskFile extends AutoCloseable {
        /** The file's current size in bytes, including bytes not yet forced. */
        long size() throws IOException;

        /** Appends all of {@code bytes[offset .. offset+length)} at the end of the file. */
        void append(byte[] bytes, int offset, int length) throws IOException;

        /** Makes every byte appended so far durable. May be called from another thread than append. */
        void force() throws IOException;

        /** Reads up to {@code length} bytes at {@code position}; returns how many (-1 at the end). */
        int read(long position, byte[] buffer, int offset, int length) throws IOException;

        /** Cuts the file to {@code size} bytes. */
        void truncate(long size) throws IOException;

        @Override
        void close() throws IOException;
    }
}
