package io.synod.storage;

/**
 * A write was refused because the disk is full. Nothing of the refused batch is durable and everything written before
 * it is intact; the storage accepts appends again once space returns.
 */
public final class DiskFullException extends RuntimeException {
    public DiskFullException(String message, Throwable cause) {
        super(message, cause);
    }

    public DiskFullException(String message) {
        super(message);
    }
}
