package io.synod.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.synod.kv.Entry;
import io.synod.kv.Item;
import io.synod.kv.KvStore;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.KvResult;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A node's key-value store as the simulator sees it: every command goes to the real store, and on its way the
 * checkers hear of it. Before the command: it must be in a value a majority durably accepted (durability). After it:
 * a command with an idempotency key that was executed (not replayed) is reported to the exactly-once checker, and a
 * digest of the whole state is kept up to date for the replica-consistency checker.
 *
 * <p>The digest is a sum, over every key, of a hash of (key, value, version), plus the revision: order free, so it is
 * updated in constant time per command and recomputed from scratch after a snapshot is restored. Two replicas with
 * the same keys, values, versions and revision have the same digest.
 */
final class CheckedStore implements KvStore {
    private final int nodeId;
    private final KvStore store;
    private final Checkers checkers;
    private long entriesDigest;

    CheckedStore(int nodeId, KvStore store, Checkers checkers) {
        this.nodeId = nodeId;
        this.store = store;
        this.checkers = checkers;
    }

    @Override
    public byte[] apply(long slot, byte[] command) {
        checkers.onApply(nodeId, slot, command);
        KvCommand parsed = parse(command);
        byte[] key = parsed == null ? null : keyOf(parsed);
        Optional<Entry> before = key == null ? Optional.empty() : store.get(key);
        byte[] result = store.apply(slot, command);
        if (key != null) {
            entriesDigest -= before.map(entry -> hash(key, entry)).orElse(0L);
            entriesDigest += store.get(key).map(entry -> hash(key, entry)).orElse(0L);
        }
        if (parsed != null && !parsed.getIdempotencyKey().isEmpty()) {
            KvResult answer = parseResult(result);
            if (answer.getRevision() == store.revision() && executed(answer)) {
                checkers.onExecuted(nodeId, parsed.getIdempotencyKey(), store.revision());
            }
        }
        return result;
    }

    private static boolean executed(KvResult answer) {
        return answer.getStatus() == KvResult.Status.OK || answer.getStatus() == KvResult.Status.PRECONDITION_FAILED;
    }

    /** A digest of the state: equal states, equal digests. */
    long digest() {
        return entriesDigest * 31 + store.revision();
    }

    @Override
    public Optional<Entry> get(byte[] key) {
        return store.get(key);
    }

    @Override
    public List<Item> list(byte[] prefix, int limit) {
        return store.list(prefix, limit);
    }

    @Override
    public long revision() {
        return store.revision();
    }

    @Override
    public Snapshot snapshot() {
        return store.snapshot();
    }

    @Override
    public void restore(SnapshotSource source) {
        store.restore(source);
        entriesDigest = 0;
        for (Item item : store.list(new byte[0], Integer.MAX_VALUE)) {
            entriesDigest += hash(item.key(), new Entry(item.value(), item.version()));
        }
    }

    private static long hash(byte[] key, Entry entry) {
        long hash = Arrays.hashCode(key) * 0x9E3779B97F4A7C15L;
        hash ^= Arrays.hashCode(entry.value()) * 0xC2B2AE3D27D4EB4FL;
        hash ^= entry.version() * 0x165667B19E3779F9L;
        return hash * 0x100000001B3L;
    }

    private static byte[] keyOf(KvCommand command) {
        ByteString key = switch (command.getOperationCase()) {
            case PUT -> command.getPut().getKey();
            case DELETE -> command.getDelete().getKey();
            default -> null;
        };
        return key == null || key.isEmpty() ? null : key.toByteArray();
    }

    static KvCommand parse(byte[] command) {
        try {
            return KvCommand.parseFrom(command);
        } catch (InvalidProtocolBufferException unparseable) {
            return null;
        }
    }

    private static KvResult parseResult(byte[] result) {
        try {
            return KvResult.parseFrom(result);
        } catch (InvalidProtocolBufferException impossible) {
            throw new IllegalStateException("the store returned an unreadable result", impossible);
        }
    }
}
