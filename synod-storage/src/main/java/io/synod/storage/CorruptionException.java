package io.synod.storage;

/**
 * Stored data is damaged in a way a crash cannot explain (a bad record followed by good ones, a bad snapshot, a
 * missing segment). The node must not start: serving from a damaged log could show a wrong history.
 */
public final class CorruptionException extends StorageFailure {
    private final String file;
    private final long offset;

    public CorruptionException(String file, long offset, String what) {
        super(file + " at byte offset " + offset + ": " + what);
        this.file = file;
        this.offset = offset;
    }

    /** The damaged file's name. */
    public String file() {
        return file;
    }

    /** The byte offset of the damage within the file. */
    public long offset() {
        return offset;
    }
}
