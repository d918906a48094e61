package io.synod.client;

/**
 * The cluster could not do the operation within the retry budget, and nothing was changed by it: every attempt was
 * refused with {@code 503} ({@code NO_MASTER}, {@code NO_QUORUM}, {@code OVERLOADED}), could not connect, or was a
 * read that timed out; or a node answered {@code 507 DISK_FULL}. Trying again later is safe. (A write that may have
 * reached a node without a definite answer is an {@link UnknownOutcomeException} instead.)
 */
public final class UnavailableException extends SynodException {
    UnavailableException(int status, String code, String message, Throwable cause) {
        super(status, code, message, cause);
    }
}
