package io.synod.server;

/** A request the API refuses, with the HTTP status and the error code of DESIGN.md's error shape. */
final class ApiException extends RuntimeException {
    final int status;
    final String code;
    /** The methods a 405 allows, for its Allow header; null otherwise. */
    String allow;
    /** One more header for the answer (name, value), e.g. WWW-Authenticate on a 401; null if none. */
    String[] header;

    ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    ApiException withHeader(String name, String value) {
        this.header = new String[] {name, value};
        return this;
    }

    ApiException allowing(String methods) {
        this.allow = methods;
        return this;
    }
}
