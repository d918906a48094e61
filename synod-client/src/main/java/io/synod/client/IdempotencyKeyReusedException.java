package io.synod.client;

/**
 * {@code 422 IDEMPOTENCY_KEY_REUSED}: the idempotency key was first used for a different request (method, key, body
 * or conditions). Nothing was changed; use a new key for a new write.
 */
public final class IdempotencyKeyReusedException extends SynodException {
    IdempotencyKeyReusedException(String code, String message) {
        super(422, code, message);
    }
}
