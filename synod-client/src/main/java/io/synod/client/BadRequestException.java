package io.synod.client;

/**
 * The server refused the request as malformed or too large: {@code 400} (bad key, header or parameter), {@code 405},
 * {@code 413} (key over the limit, 1 KiB by default, or value over it, 1 MiB), {@code 414}, {@code 431}. Nothing was
 * changed, and the same request will be refused again.
 */
public final class BadRequestException extends SynodException {
    BadRequestException(int status, String code, String message) {
        super(status, code, message);
    }
}
