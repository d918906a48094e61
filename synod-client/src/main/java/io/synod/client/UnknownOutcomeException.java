package io.synod.client;

/**
 * A write whose outcome is unknown: at least one attempt reached a node and no definite answer came back (a
 * {@code 504}, a client-side timeout, a connection broken after sending), and the retry budget ran out before a retry
 * got one. The write <em>may still be applied</em>; it has not failed. Retry it with the same
 * {@link #idempotencyKey()} (it is then applied at most once), or read the key to find out.
 */
public final class UnknownOutcomeException extends SynodException {
    private final String idempotencyKey;

    UnknownOutcomeException(int status, String code, String message, String idempotencyKey, Throwable cause) {
        super(status, code, message, cause);
        this.idempotencyKey = idempotencyKey;
    }

    /** The idempotency key every attempt of the write carried. */
    public String idempotencyKey() {
        return idempotencyKey;
    }
}
