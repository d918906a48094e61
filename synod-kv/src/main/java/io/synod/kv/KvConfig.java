package io.synod.kv;

/**
 * Settings of the key-value state machine. Every replica of a cluster must use the same settings: they decide when
 * the idempotency table forgets a key, which changes what a retried command does.
 *
 * <p>How long an idempotency key is remembered: a key first applied at revision R is forgotten once the store has
 * applied revision {@code R + idempotencyRetentionRevisions} (that many more commands, keyed or not), or once
 * {@code idempotencyEntriesMax} newer keys are remembered, whichever comes first. Both count commands in the log, so
 * every replica forgets the same key at the same command.
 *
 * @param idempotencyRetentionRevisions how many commands after its own an idempotency key is remembered; positive
 * @param idempotencyEntriesMax the most idempotency keys remembered at once; beyond it the key applied first is
 *     forgotten first; positive
 */
public record KvConfig(long idempotencyRetentionRevisions, int idempotencyEntriesMax) {
    /** The default retention: the next 1,000,000 commands. */
    public static final long DEFAULT_IDEMPOTENCY_RETENTION_REVISIONS = 1_000_000;
    /** The default bound on remembered idempotency keys. */
    public static final int DEFAULT_IDEMPOTENCY_ENTRIES_MAX = 100_000;

    public KvConfig {
        if (idempotencyRetentionRevisions <= 0 || idempotencyEntriesMax <= 0) {
            throw new IllegalArgumentException("idempotency retention and bound must be positive");
        }
    }

    /**
     * The defaults: {@value #DEFAULT_IDEMPOTENCY_RETENTION_REVISIONS} commands, {@value #DEFAULT_IDEMPOTENCY_ENTRIES_MAX}
     * keys.
     */
    public static KvConfig defaults() {
        return new KvConfig(DEFAULT_IDEMPOTENCY_RETENTION_REVISIONS, DEFAULT_IDEMPOTENCY_ENTRIES_MAX);
    }
}
