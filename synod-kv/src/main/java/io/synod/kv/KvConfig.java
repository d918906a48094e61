package io.synod.kv;

/**
 * Settings of the key-value state machine. Every replica of a cluster must use the same settings: they decide when
 * the idempotency table forgets a key, which changes what a retried command does.
 *
 * @param idempotencyRetentionSlots an idempotency key applied in slot S is remembered while commands of slots below
 *     {@code S + idempotencyRetentionSlots} are applied; positive
 * @param idempotencyEntriesMax the most idempotency keys remembered at once; beyond it the key applied first (lowest
 *     slot, then earliest in its slot) is forgotten first; positive
 */
public record KvConfig(long idempotencyRetentionSlots, int idempotencyEntriesMax) {
    /** The default retention: the last 100,000 slots. */
    public static final long DEFAULT_IDEMPOTENCY_RETENTION_SLOTS = 100_000;
    /** The default bound on remembered idempotency keys. */
    public static final int DEFAULT_IDEMPOTENCY_ENTRIES_MAX = 100_000;

    public KvConfig {
        if (idempotencyRetentionSlots <= 0 || idempotencyEntriesMax <= 0) {
            throw new IllegalArgumentException("idempotency retention and bound must be positive");
        }
    }

    /**
     * The defaults: {@value #DEFAULT_IDEMPOTENCY_RETENTION_SLOTS} slots, {@value #DEFAULT_IDEMPOTENCY_ENTRIES_MAX}
     * keys.
     */
    public static KvConfig defaults() {
        return new KvConfig(DEFAULT_IDEMPOTENCY_RETENTION_SLOTS, DEFAULT_IDEMPOTENCY_ENTRIES_MAX);
    }
}
