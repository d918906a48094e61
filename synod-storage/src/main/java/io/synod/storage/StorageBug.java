package io.synod.storage;

/**
 * Deliberate storage bugs, for tests only: each one must be caught by the simulator's checkers (see synod-sim's
 * PlantedBugTest). Production code never enables any.
 */
public enum StorageBug {
    /** A sync is reported complete before the file is forced. */
    ACK_BEFORE_FSYNC,
    /** Renames and file creations are not followed by a directory sync. */
    SKIP_DIRECTORY_SYNC,
    /** Recovery trusts every record without checking its checksum. */
    IGNORE_CHECKSUM
}
