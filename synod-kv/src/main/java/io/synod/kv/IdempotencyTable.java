package io.synod.kv;

import java.nio.ByteBuffer;

/**
 * The idempotency table: for each idempotency key applied recently, the fingerprint of the request it was first used
 * for, the revision it was applied at and the result it returned. A retry of the same request gets its first result
 * back instead of being applied again (exactly once); the same key on a different request is refused.
 *
 * <p>Bounded and deterministic: it forgets a key once {@link KvConfig#idempotencyRetentionRevisions()} more commands
 * have been applied, and forgets the oldest keys first when it holds more than {@link KvConfig#idempotencyEntriesMax()}.
 * "Oldest" is the order of application, kept as a sequence number, so what is forgotten depends only on the applied
 * commands, never on time or hash order. Both maps are {@link BTreeMap}s, so a snapshot captures the table in
 * constant time.
 *
 * <p>Used only on the replica loop's thread; a {@link View} may be read from any thread.
 */
final class IdempotencyTable {
    /** What the table remembers of one idempotency key; the same object sits in both maps. Arrays never change. */
    record Remembered(byte[] idempotencyKey, long revision, byte[] fingerprint, byte[] result) {}

    /** A frozen point-in-time table, readable from any thread. */
    record View(BTreeMap.View<Remembered> byAge) {
        long size() {
            return byAge.size();
        }

        /** Visits every remembered key in the order it was applied. */
        void forEachOldestFirst(BTreeMap.Visitor<Remembered> visitor) {
            byAge.forEachFrom(null, visitor);
        }
    }

    private final KvConfig config;
    /** Idempotency key (UTF-8) to what is remembered of it, for replays. */
    private final BTreeMap<Remembered> byKey;
    /** Sequence number of application (8 bytes, big-endian, so byte order is numeric order), for forgetting. */
    private final BTreeMap<Remembered> byAge;
    private long nextSequence;
    private long newestRevision;

    IdempotencyTable(KvConfig config) {
        this.config = config;
        this.byKey = new BTreeMap<>();
        this.byAge = new BTreeMap<>();
    }

    long size() {
        return byAge.size();
    }

    /** What is remembered of {@code idempotencyKey}, or null if nothing is. */
    Remembered find(byte[] idempotencyKey) {
        return byKey.get(idempotencyKey);
    }

    /**
     * Forgets every key applied too long before {@code revision} to be retained. Called before each command is
     * applied, with that command's revision, so a key outside the window is never found, whichever replica looks.
     */
    void forgetExpired(long revision) {
        Remembered oldest = byAge.firstValue();
        while (oldest != null && revision - oldest.revision() >= config.idempotencyRetentionRevisions()) {
            forgetOldest();
            oldest = byAge.firstValue();
        }
    }

    /**
     * Remembers the result of a command applied at {@code revision}, then forgets the oldest keys beyond the bound.
     * The key must not be remembered already, and revisions must not go down. The table keeps the arrays; the caller
     * must never modify them.
     */
    void remember(byte[] idempotencyKey, long revision, byte[] fingerprint, byte[] result) {
        if (revision < newestRevision) {
            throw new IllegalStateException("idempotency key remembered at revision " + revision + " after one at "
                    + newestRevision);
        }
        if (byKey.get(idempotencyKey) != null) {
            throw new IllegalStateException("idempotency key remembered twice");
        }
        Remembered remembered = new Remembered(idempotencyKey, revision, fingerprint, result);
        byKey.put(idempotencyKey, remembered);
        byAge.put(sequenceKey(nextSequence), remembered);
        nextSequence++;
        newestRevision = revision;
        while (byAge.size() > config.idempotencyEntriesMax()) {
            forgetOldest();
        }
    }

    private void forgetOldest() {
        Remembered oldest = byAge.firstValue();
        byAge.remove(byAge.firstKey());
        byKey.remove(oldest.idempotencyKey());
    }

    /**
     * Captures the table in constant time. Only the age order is frozen: it alone holds everything a snapshot writes,
     * and the records in it are immutable, so the key index may keep changing in place.
     */
    View freeze() {
        return new View(byAge.freeze());
    }

    private static byte[] sequenceKey(long sequence) {
        return ByteBuffer.allocate(Long.BYTES).putLong(sequence).array();
    }
}
