package io.synod.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.synod.core.InvariantViolation;
import io.synod.core.StateMachine;
import io.synod.kv.proto.Delete;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.KvResult;
import io.synod.kv.proto.Put;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The key-value store Synod replicates: keys and values are byte strings, each key carries a version, writes may be
 * conditional on that version, and a command with an idempotency key is applied at most once while the key is
 * remembered.
 *
 * <p><b>Revisions and versions.</b> Every command the store applies takes the next revision: one counter for the whole
 * store, starting at 1, kept in snapshots. A key's version is the revision of the command that last wrote it. A slot
 * holds a batch of commands, so slot numbers cannot serve as versions; revisions are unique even within a batch, and a
 * delete and re-create never reuse one (etcd's {@code mod_revision}).
 *
 * <p><b>Idempotency keys.</b> A command may carry an idempotency key. The first command with a key is applied and its
 * result remembered together with a {@linkplain RequestFingerprint fingerprint} of the request. A later command with
 * the same key and fingerprint is answered with the first result, byte for byte, and changes nothing; one with the
 * same key and another fingerprint is refused ({@code IDEMPOTENCY_KEY_REUSED}) and changes nothing. How long a key is
 * remembered is {@link KvConfig}'s rule.
 *
 * <p>Commands are {@link KvCommand} protobuf messages (see {@code kv.proto}); {@link #apply} returns a serialized
 * {@link KvResult}. Apply is deterministic: it reads no clock, no randomness and iterates no hash-ordered collection,
 * so every replica that applies the same commands in the same order reaches the same state, returns the same results
 * and writes byte-identical snapshots.
 *
 * <p>Threads: every method is called on the replica loop's thread only (the one that calls {@link #apply}), including
 * the reads {@link #get}, {@link #list} and {@link #size}, which therefore see exactly the state after the last
 * applied command. No method blocks or does I/O, except {@link #restore}, which reads its source. The one thing that
 * may leave the loop thread is a {@link StateMachine.Snapshot} returned by {@link #snapshot}: its {@code writeTo} may
 * run on any thread, concurrently with applies.
 *
 * <p>Limits: keys of at most {@value #KEY_BYTES_MAX} bytes, values of at most {@value #VALUE_BYTES_MAX} bytes,
 * idempotency keys of at most {@value #IDEMPOTENCY_KEY_BYTES_MAX} bytes of UTF-8. These are far above the server's
 * limits; they exist so that memory and snapshot parsing stay bounded whatever reaches the log.
 */
public final class KvStateMachine implements KvStore {
    /** The longest key a put or delete may name; a longer one is a BAD_COMMAND. */
    public static final int KEY_BYTES_MAX = 64 * 1024;
    /** The longest value a put may write; a longer one is a BAD_COMMAND. */
    public static final int VALUE_BYTES_MAX = 64 * 1024 * 1024;
    /** The longest idempotency key, in bytes of UTF-8; a longer one is a BAD_COMMAND. */
    public static final int IDEMPOTENCY_KEY_BYTES_MAX = 256;

    private final KvConfig config;
    private BTreeMap<Entry> entries;
    private IdempotencyTable idempotency;
    private long lastCommandSlot = -1;
    private long revision;

    /** A store with the {@linkplain KvConfig#defaults() default settings}. */
    public KvStateMachine() {
        this(KvConfig.defaults());
    }

    /** A store with {@code config}, which every replica of the cluster must share. */
    public KvStateMachine(KvConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
        this.entries = new BTreeMap<>();
        this.idempotency = new IdempotencyTable(config);
    }

    /**
     * Applies one {@link KvCommand} chosen for {@code slot} and returns its serialized {@link KvResult}. The command
     * takes the next revision, whatever it does. Never throws for bad input: bytes that do not parse, or a command
     * that makes no sense, give a {@code BAD_COMMAND} result and change nothing. Throws {@link InvariantViolation}
     * only if slots go down, which is a bug of the caller.
     *
     * <p>Called by the replica loop, on its thread, in slot order.
     */
    @Override
    public byte[] apply(long slot, byte[] command) {
        if (slot < 0 || slot < lastCommandSlot) {
            throw new InvariantViolation("slot " + slot + " applied after slot " + lastCommandSlot);
        }
        lastCommandSlot = slot;
        long commandRevision = ++revision;
        // Forgetting first, on every command, makes the window the same on every replica whatever is applied.
        idempotency.forgetExpired(commandRevision);
        KvCommand parsed = parse(command);
        if (parsed == null) {
            return badCommand(slot, commandRevision, "the command bytes are not a KvCommand").toByteArray();
        }
        ByteString idempotencyKey = parsed.getIdempotencyKeyBytes();
        if (idempotencyKey.isEmpty()) {
            return execute(slot, commandRevision, parsed).toByteArray();
        }
        if (idempotencyKey.size() > IDEMPOTENCY_KEY_BYTES_MAX) {
            return badCommand(slot, commandRevision,
                    "the idempotency key is longer than " + IDEMPOTENCY_KEY_BYTES_MAX + " bytes").toByteArray();
        }
        return applyOnce(slot, commandRevision, idempotencyKey.toByteArray(), parsed);
    }

    private byte[] applyOnce(long slot, long commandRevision, byte[] idempotencyKey, KvCommand command) {
        byte[] fingerprint = RequestFingerprint.of(command);
        IdempotencyTable.Remembered remembered = idempotency.find(idempotencyKey);
        if (remembered != null) {
            if (!Arrays.equals(remembered.fingerprint(), fingerprint)) {
                return KvResult.newBuilder().setStatus(KvResult.Status.IDEMPOTENCY_KEY_REUSED).setSlot(slot)
                        .setRevision(commandRevision)
                        .setError("the idempotency key was first used for a different request").build()
                        .toByteArray();
            }
            return remembered.result().clone();
        }
        byte[] result = execute(slot, commandRevision, command).toByteArray();
        idempotency.remember(idempotencyKey, commandRevision, fingerprint, result);
        // The table keeps its own array, so whatever the caller does with the answer cannot change it.
        return result.clone();
    }

    private static KvCommand parse(byte[] command) {
        try {
            CodedInputStream input = CodedInputStream.newInstance(command);
            // The command array is never modified (StateMachine contract), so fields may share it until copied.
            input.enableAliasing(true);
            return KvCommand.parseFrom(input);
        } catch (IOException | RuntimeException unparseable) {
            // The same bytes fail the same way on every replica, so answering BAD_COMMAND stays deterministic.
            return null;
        }
    }

    private KvResult execute(long slot, long commandRevision, KvCommand command) {
        return switch (command.getOperationCase()) {
            case PUT -> put(slot, commandRevision, command.getPut());
            case DELETE -> delete(slot, commandRevision, command.getDelete());
            case NOOP -> ok(slot, commandRevision).build();
            case OPERATION_NOT_SET -> badCommand(slot, commandRevision, "the command names no operation");
        };
    }

    private KvResult put(long slot, long commandRevision, Put put) {
        String problem = checkKey(put.getKey());
        if (problem == null && put.getValue().size() > VALUE_BYTES_MAX) {
            problem = "the value is longer than " + VALUE_BYTES_MAX + " bytes";
        }
        if (problem == null && put.hasExpectedVersion() && put.getCreateOnly()) {
            problem = "a put cannot both expect a version and require the key to be absent";
        }
        if (problem != null) {
            return badCommand(slot, commandRevision, problem);
        }
        byte[] key = put.getKey().toByteArray();
        Entry current = entries.get(key);
        boolean holds = put.getCreateOnly()
                ? current == null
                : !put.hasExpectedVersion() || hasVersion(current, put.getExpectedVersion());
        if (!holds) {
            return preconditionFailed(slot, commandRevision, current);
        }
        entries.put(key, new Entry(put.getValue().toByteArray(), commandRevision));
        return ok(slot, commandRevision).setVersion(commandRevision).setExists(true).build();
    }

    private KvResult delete(long slot, long commandRevision, Delete delete) {
        String problem = checkKey(delete.getKey());
        if (problem != null) {
            return badCommand(slot, commandRevision, problem);
        }
        byte[] key = delete.getKey().toByteArray();
        Entry current = entries.get(key);
        if (delete.hasExpectedVersion() && !hasVersion(current, delete.getExpectedVersion())) {
            return preconditionFailed(slot, commandRevision, current);
        }
        boolean deleted = current != null && entries.remove(key);
        return ok(slot, commandRevision).setVersion(commandRevision).setDeleted(deleted).build();
    }

    /** Why {@code key} is unacceptable, or null if it is fine. */
    private static String checkKey(ByteString key) {
        if (key.isEmpty()) {
            return "the key is empty";
        }
        if (key.size() > KEY_BYTES_MAX) {
            return "the key is longer than " + KEY_BYTES_MAX + " bytes";
        }
        return null;
    }

    private static boolean hasVersion(Entry current, long expectedVersion) {
        return current != null && current.version() == expectedVersion;
    }

    private static KvResult.Builder ok(long slot, long commandRevision) {
        return KvResult.newBuilder().setStatus(KvResult.Status.OK).setSlot(slot).setRevision(commandRevision);
    }

    private static KvResult preconditionFailed(long slot, long commandRevision, Entry current) {
        long currentVersion = current == null ? 0 : current.version();
        return KvResult.newBuilder()
                .setStatus(KvResult.Status.PRECONDITION_FAILED)
                .setSlot(slot)
                .setRevision(commandRevision)
                .setVersion(currentVersion)
                .setExists(current != null)
                .setCurrentVersion(currentVersion)
                .build();
    }

    private static KvResult badCommand(long slot, long commandRevision, String error) {
        return KvResult.newBuilder().setStatus(KvResult.Status.BAD_COMMAND).setSlot(slot).setRevision(commandRevision)
                .setError(error).build();
    }

    /**
     * The value and version of {@code key}, or empty if absent. Called on the loop thread; never blocks. The entry's
     * value array is shared with the store: the caller must not modify it.
     */
    @Override
    public Optional<Entry> get(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        return Optional.ofNullable(entries.get(key));
    }

    /**
     * The first {@code limit} keys that start with {@code prefix} (every key for an empty prefix), in ascending
     * unsigned byte order, with their values and versions. Costs a tree descent plus the items returned, whatever
     * the store's size. Called on the loop thread; never blocks. The items' arrays are shared with the store: the
     * caller must not modify them.
     *
     * @param limit the most items to return; not negative
     */
    @Override
    public List<Item> list(byte[] prefix, int limit) {
        if (prefix == null || limit < 0) {
            throw new IllegalArgumentException("prefix must not be null and limit must not be negative");
        }
        List<Item> items = new ArrayList<>(Math.min(limit, 1_024));
        if (limit == 0) {
            return items;
        }
        entries.forEachFrom(prefix, (key, entry) -> {
            if (!startsWith(key, prefix)) {
                return false; // Keys are sorted: the first key past the prefix ends the range.
            }
            items.add(new Item(key, entry.value(), entry.version()));
            return items.size() < limit;
        });
        return items;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** How many keys the store holds. Called on the loop thread. */
    public long size() {
        return entries.size();
    }

    /** How many idempotency keys are remembered now. Called on the loop thread; for metrics and tests. */
    public long idempotencyTableSize() {
        return idempotency.size();
    }

    /** The revision of the last command applied or restored from a snapshot; 0 before the first. */
    @Override
    public long revision() {
        return revision;
    }

    /**
     * The slot of the last command applied (or restored from a snapshot), -1 if none. Not the replica's applied
     * index: slots holding no command never reach the state machine. Called on the loop thread.
     */
    public long lastCommandSlot() {
        return lastCommandSlot;
    }

    /**
     * Captures the whole state in constant time, whatever the number of keys: it freezes the current trees, and later
     * applies copy the few nodes they change. Called on the loop thread, which waits for it; never blocks or throws.
     * The returned snapshot's {@code writeTo} may run on any thread, concurrently with later applies, and always
     * writes the state as it was at this call (format: {@link SnapshotFormat}).
     */
    @Override
    public Snapshot snapshot() {
        return new KvSnapshot(lastCommandSlot, revision, entries.freeze(), idempotency.freeze());
    }

    /**
     * Replaces the whole state, revision counter and idempotency table included, with a snapshot's. Called on the loop thread before any
     * apply that follows the snapshot; reads the source to its end and so may block on it. Throws
     * {@link IllegalStateException} if the bytes do not parse; the current state is then left as it was.
     */
    @Override
    public void restore(SnapshotSource source) {
        SnapshotFormat.Restored restored = SnapshotFormat.read(source, config);
        entries = restored.entries();
        idempotency = restored.idempotency();
        lastCommandSlot = restored.lastCommandSlot();
        revision = restored.revision();
    }
}
