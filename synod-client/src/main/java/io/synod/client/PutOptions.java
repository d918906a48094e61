package io.synod.client;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The conditions and idempotency key of a put. Immutable: each method returns a new instance, starting from
 * {@link #none()}. {@link #ifVersion} and {@link #createOnly} cannot be combined (the server refuses it).
 *
 * @param ifVersion apply only if the key's version is this ({@code If-Match: "V"}); empty for no version condition
 * @param ifAbsent apply only if the key does not exist ({@code If-None-Match: *}); set by {@link #createOnly()}
 * @param idempotencyKey the {@code Idempotency-Key} to send; empty: the client makes a random one per put
 */
public record PutOptions(OptionalLong ifVersion, boolean ifAbsent, Optional<String> idempotencyKey) {
    private static final PutOptions NONE = new PutOptions(OptionalLong.empty(), false, Optional.empty());

    /** Checks the combination. */
    public PutOptions {
        Objects.requireNonNull(ifVersion, "ifVersion");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        if (ifVersion.isPresent() && ifAbsent) {
            throw new IllegalArgumentException("a put cannot be both conditional on a version and create-only");
        }
        if (ifVersion.isPresent() && ifVersion.getAsLong() < 0) {
            throw new IllegalArgumentException("a version is never negative: " + ifVersion.getAsLong());
        }
        idempotencyKey.ifPresent(PutOptions::checkIdempotencyKey);
    }

    /** No condition; a random idempotency key. */
    public static PutOptions none() {
        return NONE;
    }

    /** These options, applying only if the key's version is {@code version}, else {@link ConditionFailedException}. */
    public PutOptions ifVersion(long version) {
        return new PutOptions(OptionalLong.of(version), ifAbsent, idempotencyKey);
    }

    /** These options, applying only if the key does not exist, else {@link ConditionFailedException}. */
    public PutOptions createOnly() {
        return new PutOptions(ifVersion, true, idempotencyKey);
    }

    /**
     * These options with the caller's idempotency key (1 to 256 bytes of UTF-8). Use the same key for the same
     * logical write across calls (after an {@link UnknownOutcomeException}, say) and it is applied at most once.
     */
    public PutOptions idempotencyKey(String key) {
        return new PutOptions(ifVersion, ifAbsent, Optional.of(key));
    }

    static void checkIdempotencyKey(String key) {
        int bytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > 256) {
            throw new IllegalArgumentException("an idempotency key is 1 to 256 bytes, not " + bytes);
        }
    }
}
