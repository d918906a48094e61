package io.synod.storage;

/**
 * The storage could not do what it promised (an fsync failed, a write failed for a reason other than a full disk).
 * Durability can no longer be guaranteed: the node must stop, never retry and carry on.
 */
public class StorageFailure extends RuntimeException {
    public StorageFailure(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageFailure(String message) {
        super(message);
    }
}
