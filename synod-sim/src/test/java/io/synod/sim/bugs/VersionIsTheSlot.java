package io.synod.sim.bugs;

import com.google.protobuf.ByteString;
import io.synod.kv.Entry;
import io.synod.kv.Item;
import io.synod.kv.KvStore;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.KvResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Planted bug (bug 1 of issue 8): a key-value store, correct in every other way, whose key versions are the slot that
 * last wrote the key. A slot holds a batch, so two writes of one key in one batch share a version, and a
 * compare-and-set against the first one's version succeeds although the second overwrote it. Written plainly, with
 * no attention to cost; versions are the slot plus one, so that slot 0 does not read as "absent".
 */
public final class VersionIsTheSlot implements KvStore {
    private record Remembered(KvCommand request, byte[] result) {}

    private TreeMap<ByteString, Entry> keys = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    private LinkedHashMap<String, Remembered> table = new LinkedHashMap<>();
    private long revision;

    @Override
    public byte[] apply(long slot, byte[] bytes) {
        revision++;
        KvCommand command;
        try {
            command = KvCommand.parseFrom(bytes);
        } catch (Exception unparseable) {
            return result(KvResult.Status.BAD_COMMAND, slot).build().toByteArray();
        }
        String idempotencyKey = command.getIdempotencyKey();
        KvCommand request = command.toBuilder().clearIdempotencyKey().build();
        if (!idempotencyKey.isEmpty() && table.containsKey(idempotencyKey)) {
            Remembered first = table.get(idempotencyKey);
            return first.request().equals(request) ? first.result()
                    : result(KvResult.Status.IDEMPOTENCY_KEY_REUSED, slot).setError("reused").build().toByteArray();
        }
        byte[] result = execute(slot, command).toByteArray();
        if (!idempotencyKey.isEmpty()) {
            table.put(idempotencyKey, new Remembered(request, result));
        }
        return result;
    }

    private KvResult execute(long slot, KvCommand command) {
        long version = slot + 1;
        switch (command.getOperationCase()) {
            case PUT -> {
                Entry current = keys.get(command.getPut().getKey());
                boolean holds = command.getPut().getCreateOnly() ? current == null
                        : !command.getPut().hasExpectedVersion()
                                || (current != null && current.version() == command.getPut().getExpectedVersion());
                if (!holds) {
                    return failed(slot, current);
                }
                keys.put(command.getPut().getKey(), new Entry(command.getPut().getValue().toByteArray(), version));
                return result(KvResult.Status.OK, slot).setVersion(version).setExists(true).build();
            }
            case DELETE -> {
                Entry current = keys.get(command.getDelete().getKey());
                if (command.getDelete().hasExpectedVersion()
                        && (current == null || current.version() != command.getDelete().getExpectedVersion())) {
                    return failed(slot, current);
                }
                keys.remove(command.getDelete().getKey());
                return result(KvResult.Status.OK, slot).setVersion(version).setDeleted(current != null).build();
            }
            default -> {
                return result(KvResult.Status.OK, slot).build();
            }
        }
    }

    private KvResult.Builder result(KvResult.Status status, long slot) {
        return KvResult.newBuilder().setStatus(status).setSlot(slot).setRevision(revision);
    }

    private KvResult failed(long slot, Entry current) {
        long version = current == null ? 0 : current.version();
        return result(KvResult.Status.PRECONDITION_FAILED, slot).setVersion(version).setExists(current != null)
                .setCurrentVersion(version).build();
    }

    @Override
    public Optional<Entry> get(byte[] key) {
        return Optional.ofNullable(keys.get(ByteString.copyFrom(key)));
    }

    @Override
    public List<Item> list(byte[] prefix, int limit) {
        List<Item> items = new ArrayList<>();
        for (Map.Entry<ByteString, Entry> entry : keys.entrySet()) {
            byte[] key = entry.getKey().toByteArray();
            if (items.size() < limit && key.length >= prefix.length
                    && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
                items.add(new Item(key, entry.getValue().value(), entry.getValue().version()));
            }
        }
        return items;
    }

    @Override
    public long revision() {
        return revision;
    }

    @Override
    public Snapshot snapshot() {
        Map<ByteString, Entry> keysNow = new TreeMap<>(keys);
        Map<String, Remembered> tableNow = new LinkedHashMap<>(table);
        long revisionNow = revision;
        return sink -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeLong(revisionNow);
                out.writeInt(keysNow.size());
                for (Map.Entry<ByteString, Entry> entry : keysNow.entrySet()) {
                    write(out, entry.getKey().toByteArray());
                    write(out, entry.getValue().value());
                    out.writeLong(entry.getValue().version());
                }
                out.writeInt(tableNow.size());
                for (Map.Entry<String, Remembered> entry : tableNow.entrySet()) {
                    out.writeUTF(entry.getKey());
                    write(out, entry.getValue().request().toByteArray());
                    write(out, entry.getValue().result());
                }
            } catch (IOException impossible) {
                throw new UncheckedIOException(impossible);
            }
            sink.write(bytes.toByteArray(), 0, bytes.size());
        };
    }

    @Override
    public void restore(SnapshotSource source) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8_192];
        for (int n = source.read(buffer, 0, buffer.length); n >= 0; n = source.read(buffer, 0, buffer.length)) {
            all.write(buffer, 0, n);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all.toByteArray()))) {
            revision = in.readLong();
            keys = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
            for (int i = in.readInt(); i > 0; i--) {
                ByteString key = ByteString.copyFrom(read(in));
                keys.put(key, new Entry(read(in), in.readLong()));
            }
            table = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                String key = in.readUTF();
                table.put(key, new Remembered(KvCommand.parseFrom(read(in)), read(in)));
            }
        } catch (IOException broken) {
            throw new IllegalStateException("snapshot does not parse", broken);
        }
    }

    private static void write(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] read(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }
}
