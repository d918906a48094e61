package io.synod.client;

/**
 * An operation that did not succeed: the server refused it, or the cluster could not be reached within the retry
 * budget. Carries the error {@link #code()} of the API's error shape ({@code {"error":..,"code":..}}) and the HTTP
 * {@link #status()} of the answer that decided it (0 when no answer came). The message is one sentence.
 *
 * <p>The subclasses say what a caller can do about it; an instance of this class itself is an answer none of them
 * covers (for example {@code 410 COMPACTED} for a log slot, {@code TLS_FAILED} when no TLS connection could be made
 * with the given certificates, or a status the client does not know).
 */
public sealed class SynodException extends RuntimeException
        permits AccessDeniedException, BadRequestException, ConditionFailedException, IdempotencyKeyReusedException,
        UnavailableException, UnknownOutcomeException {
    private final int status;
    private final String code;

    SynodException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    SynodException(int status, String code, String message) {
        this(status, code, message, null);
    }

    /** The HTTP status of the answer that decided the outcome, or 0 if none came (a connection error, a timeout). */
    public int status() {
        return status;
    }

    /**
     * The error code: the server's ({@code PRECONDITION_FAILED}, {@code NO_MASTER}, ...) or the client's own when no
     * answer came ({@code CONNECTION_FAILED}, {@code TIMEOUT}, {@code TLS_FAILED}, {@code INTERRUPTED},
     * {@code CLOSED}).
     */
    public String code() {
        return code;
    }
}
