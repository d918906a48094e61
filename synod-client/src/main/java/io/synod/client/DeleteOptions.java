package io.synod.client;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The condition and idempotency key of a delete. Immutable: each method returns a new instance, starting from
 * {@link #none()}. (The server takes {@code If-Match} on a delete, not {@code If-None-Match}.)
 *
 * @param ifVersion delete only if the key's version is this ({@code If-Match: "V"}); empty for no condition
 * @param idempotencyKey the {@code Idempotency-Key} to send; empty: the client makes a random one per delete
 */
public record DeleteOptions(OptionalLong ifVersion, Optional<String> idempotencyKey) {
    private static final DeleteOptions NONE = new DeleteOptions(OptionalLong.empty(), Optional.empty());

    /** Checks the values. */
    public DeleteOptions {
        Objects.requireNonNull(ifVersion, "ifVersion");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        if (ifVersion.isPresent() && ifVersion.getAsLong() < 0) {
            throw new IllegalArgumentException("a version is never negative: " + ifVersion.getAsLong());
        }
        idempotencyKey.ifPresent(PutOptions::checkIdempotencyKey);
    }

    /** No condition; a random idempotency key. */
    public static DeleteOptions none() {
        return NONE;
    }

    /** These options, deleting only if the key's version is {@code version}, else {@link ConditionFailedException}. */
    public DeleteOptions ifVersion(long version) {
        return new DeleteOptions(OptionalLong.of(version), idempotencyKey);
    }

    /** These options with the caller's idempotency key (1 to 256 bytes of UTF-8). */
    public DeleteOptions idempotencyKey(String key) {
        return new DeleteOptions(ifVersion, Optional.of(key));
    }
}
