package io.synod.kv;

import com.google.protobuf.UnsafeByteOperations;
import io.synod.core.StateMachine;

/**
 * The byte format of a key-value snapshot, version 2. All numbers are big-endian; a byte string is an int length and
 * then its bytes.
 *
 * <pre>
 * int    magic 0x53594B56 ("SYKV")
 * int    format version, 2
 * long   slot of the last command applied, or -1
 * long   revision of the last command applied, or 0
 * long   number of keys
 *        per key, in ascending unsigned byte order: key, value (byte strings), version (long)
 * long   number of idempotency keys
 *        per idempotency key, oldest first: the key's UTF-8 (byte string), revision (long),
 *        request fingerprint (byte string of 32 bytes), result (byte string)
 * int    end marker 0x454E4421 ("END!")
 * </pre>
 *
 * Version 1 (before revisions: versions were slots) is refused with a message saying so.
 *
 * Nothing in it depends on hash order, time or the history of the in-memory structures, so two replicas with the
 * same state write the same bytes. The storage layer adds the checksum.
 */
final class SnapshotFormat {
    static final int MAGIC = 0x53594B56;
    static final int FORMAT_VERSION = 2;
    static final int END_MARKER = 0x454E4421;
    /** Results are a few dozen bytes; anything near this is corruption. */
    static final int RESULT_BYTES_MAX = 64 * 1024;

    /** The whole state a snapshot holds, rebuilt by {@link #read}. */
    record Restored(long lastCommandSlot, long revision, BTreeMap<Entry> entries, IdempotencyTable idempotency) {}

    private SnapshotFormat() {}

    static void write(KvSnapshot snapshot, StateMachine.SnapshotSink sink) {
        SnapshotOutput output = new SnapshotOutput(sink);
        output.writeInt(MAGIC);
        output.writeInt(FORMAT_VERSION);
        output.writeLong(snapshot.lastCommandSlot());
        output.writeLong(snapshot.revision());
        output.writeLong(snapshot.entries().size());
        snapshot.entries().forEachFrom(null, (key, entry) -> {
            output.writeByteString(key);
            output.writeByteString(entry.value());
            output.writeLong(entry.version());
            return true;
        });
        output.writeLong(snapshot.idempotency().size());
        snapshot.idempotency().forEachOldestFirst((sequence, remembered) -> {
            output.writeByteString(remembered.idempotencyKey());
            output.writeLong(remembered.revision());
            output.writeByteString(remembered.fingerprint());
            output.writeByteString(remembered.result());
            return true;
        });
        output.writeInt(END_MARKER);
        output.flush();
    }

    /**
     * Parses a whole snapshot; throws {@link IllegalStateException} on anything that does not parse or is absurd,
     * its message ending with how many bytes had been read when the problem showed (the offset just past it).
     */
    static Restored read(StateMachine.SnapshotSource source, KvConfig config) {
        SnapshotInput input = new SnapshotInput(source);
        try {
            return read(input, config);
        } catch (IllegalStateException problem) {
            throw new IllegalStateException(problem.getMessage() + " (after " + input.offset() + " bytes)", problem);
        }
    }

    private static Restored read(SnapshotInput input, KvConfig config) {
        readHeader(input);
        long lastCommandSlot = input.readLong();
        check(lastCommandSlot >= -1, "the last command slot is negative");
        long revision = input.readLong();
        check(revision >= 0, "the revision is negative");
        check((revision == 0) == (lastCommandSlot == -1), "the revision and the last command slot disagree");
        BTreeMap<Entry> entries = readEntries(input, revision);
        IdempotencyTable idempotency = readIdempotency(input, config, revision);
        check(input.readInt() == END_MARKER, "the end marker is missing");
        input.expectEnd();
        return new Restored(lastCommandSlot, revision, entries, idempotency);
    }

    private static void readHeader(SnapshotInput input) {
        check(input.readInt() == MAGIC, "it does not start with the key-value snapshot magic number");
        int version = input.readInt();
        check(version != 1, "it is in format 1, written before versions became revisions; this build reads format "
                + FORMAT_VERSION + " only (remove the data dir's snapshots and let the node catch up from its peers)");
        check(version == FORMAT_VERSION, "its format version " + version + " is unknown");
    }

    private static BTreeMap<Entry> readEntries(SnapshotInput input, long revision) {
        long count = input.readLong();
        check(count >= 0, "its key count is negative");
        BTreeMap.Builder<Entry> builder = new BTreeMap.Builder<>();
        for (long i = 0; i < count; i++) {
            byte[] key = input.readByteString(KvStateMachine.KEY_BYTES_MAX, "key");
            byte[] value = input.readByteString(KvStateMachine.VALUE_BYTES_MAX, "value");
            long version = input.readLong();
            check(!isEmpty(key), "it holds an empty key");
            check(version >= 1 && version <= revision, "a key's version is outside the applied revisions");
            try {
                builder.append(key, new Entry(value, version));
            } catch (IllegalArgumentException outOfOrder) {
                throw new IllegalStateException("snapshot does not parse: its keys are not in ascending order");
            }
        }
        return builder.build();
    }

    private static IdempotencyTable readIdempotency(SnapshotInput input, KvConfig config, long revision) {
        long count = input.readLong();
        check(count >= 0, "its idempotency key count is negative");
        IdempotencyTable table = new IdempotencyTable(config);
        long previousRevision = 1;
        for (long i = 0; i < count; i++) {
            byte[] idempotencyKey = input.readByteString(KvStateMachine.IDEMPOTENCY_KEY_BYTES_MAX, "idempotency key");
            long keyRevision = input.readLong();
            byte[] fingerprint = input.readByteString(RequestFingerprint.BYTES, "request fingerprint");
            byte[] result = input.readByteString(RESULT_BYTES_MAX, "result");
            check(!isEmpty(idempotencyKey) && isUtf8(idempotencyKey), "an idempotency key is not UTF-8");
            check(keyRevision >= previousRevision && keyRevision <= revision,
                    "idempotency keys are not in revision order");
            check(fingerprint.length == RequestFingerprint.BYTES, "a request fingerprint is not 32 bytes");
            check(table.find(idempotencyKey) == null, "an idempotency key appears twice");
            table.remember(idempotencyKey, keyRevision, fingerprint, result);
            previousRevision = keyRevision;
        }
        return table;
    }

    private static boolean isEmpty(byte[] bytes) {
        return bytes.length == 0;
    }

    private static boolean isUtf8(byte[] bytes) {
        return UnsafeByteOperations.unsafeWrap(bytes).isValidUtf8();
    }

    private static void check(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException("snapshot does not parse: " + problem);
        }
    }
}
