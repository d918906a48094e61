package io.synod.client;

/**
 * The node refused the request for who sent it, not for what it asked: {@code 401 UNAUTHENTICATED} (no
 * {@code Authorization: Bearer} token, or one the node does not know: see {@link SynodClient.Builder#token}) or
 * {@code 403 FORBIDDEN} (the token's role does not allow it, a read-only token writing, say). Nothing was changed.
 * Never retried: the same request with the same token is refused again.
 */
public final class AccessDeniedException extends SynodException {
    AccessDeniedException(int status, String code, String message) {
        super(status, code, message);
    }
}
