package io.synod.replica.kv;

/**
 * A parsed, validated key-value request (DESIGN.md §1), as {@link KvService} takes it. Keys and values are the
 * caller's arrays, which the service copies into the command it proposes; the caller must not change them until the
 * call returns.
 */
public sealed interface KvRequest {
    /** How a read relates to writes (DESIGN.md §1, {@code ?consistency=}). */
    enum Consistency {
        /** Sees every write acknowledged before the read began. */
        LINEARIZABLE,
        /** Like linearizable, never trusting clocks: ordered with a majority. */
        QUORUM,
        /** This node's state as it is: fast, possibly behind. */
        STALE
    }

    /** A write's condition. */
    sealed interface Condition {
        /** No condition. */
        record None() implements Condition {}

        /** {@code If-Match: "V"}: only if the key exists with exactly this version. */
        record IfMatch(long version) implements Condition {}

        /** {@code If-None-Match: *}: only if the key does not exist (create only). */
        record IfAbsent() implements Condition {}

        Condition NONE = new None();
        Condition IF_ABSENT = new IfAbsent();
    }

    /**
     * Sets {@code key} to {@code value} if {@code condition} holds.
     *
     * @param idempotencyKey the client's {@code Idempotency-Key}, or null
     */
    record Put(byte[] key, byte[] value, Condition condition, String idempotencyKey) implements KvRequest {
        public Put {
            require(key != null && value != null && condition != null, "key, value and condition are required");
        }
    }

    /**
     * Removes {@code key} if {@code condition} holds ({@link Condition.IfAbsent} makes no sense here and is refused).
     */
    record Delete(byte[] key, Condition condition, String idempotencyKey) implements KvRequest {
        public Delete {
            require(key != null && condition != null, "key and condition are required");
            require(!(condition instanceof Condition.IfAbsent), "a delete cannot require the key to be absent");
        }
    }

    /** Reads one key. {@code minSlot}, if not null, first waits until that slot is applied here. */
    record Get(byte[] key, Consistency consistency, Long minSlot) implements KvRequest {
        public Get {
            require(key != null && consistency != null, "key and consistency are required");
            require(minSlot == null || minSlot >= 0, "min-slot must not be negative");
        }
    }

    /** Lists up to {@code limit} keys starting with {@code prefix}, in unsigned byte order. */
    record ListPrefix(byte[] prefix, int limit, Consistency consistency, Long minSlot) implements KvRequest {
        public ListPrefix {
            require(prefix != null && consistency != null && limit >= 0, "prefix, consistency and limit >= 0");
            require(minSlot == null || minSlot >= 0, "min-slot must not be negative");
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
