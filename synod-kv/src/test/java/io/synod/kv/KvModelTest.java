package io.synod.kv;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.synod.kv.proto.Delete;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.KvResult;
import io.synod.kv.proto.Noop;
import io.synod.kv.proto.Put;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the state machine against a naive model over thousands of random commands: a {@link TreeMap} for the keys
 * and an insertion-ordered map for the idempotency table, with the rules written out plainly. Keys come from a small
 * alphabet that includes bytes above 0x7f, so overwrites, conditions, replays and unsigned ordering all happen often;
 * the retention window and table bound are small, so eviction happens often too. Every result must equal the model's
 * (but for the wording of errors), and the whole contents must be equal every 500 steps. A follower restored from a
 * snapshot half way must then answer every command byte for byte as the original does.
 */
class KvModelTest {
    private static final byte[] ALPHABET = {0x00, 'a', 'b', 0x7f, (byte) 0x80, (byte) 0xff};
    private static final KvConfig CONFIG = new KvConfig(120, 25);

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void matchesTheNaiveModel(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        KvStateMachine machine = new KvStateMachine(CONFIG);
        Model model = new Model();
        KvStateMachine follower = null;
        List<byte[]> recent = new ArrayList<>();
        long slot = 0;
        int replayed = 0;
        int reused = 0;
        for (int step = 0; step < 20_000; step++) {
            slot += random.nextInt(3); // 0 puts two commands in one slot, as a batch does
            byte[] command = randomCommand(random, model.revision, recent);
            byte[] result = machine.apply(slot, command);
            KvResult expected = Commands.parse(model.apply(slot, command));
            assertThat(withoutErrorText(result)).as("step %d", step).isEqualTo(expected);
            reused += expected.getStatus() == KvResult.Status.IDEMPOTENCY_KEY_REUSED ? 1 : 0;
            replayed += expected.getRevision() < model.revision ? 1 : 0;
            if (follower != null) {
                assertThat(follower.apply(slot, command)).as("follower, step %d", step).isEqualTo(result);
            }
            if (step % 500 == 0) {
                assertSameContents(machine, model, random);
            }
            if (step == 10_000) {
                follower = Commands.restored(Commands.snapshotBytes(machine), CONFIG);
            }
        }
        assertSameContents(machine, model, random);
        assertThat(Commands.snapshotBytes(follower)).isEqualTo(Commands.snapshotBytes(machine));
        // The random commands did exercise both idempotency rules, often.
        assertThat(replayed).as("replays").isGreaterThan(500);
        assertThat(reused).as("refused reuses").isGreaterThan(500);
    }

    /** Proves the model test can fail: a machine with another retention answers some command differently. */
    @Test
    void aDifferentRetentionIsDetected() {
        SplittableRandom random = new SplittableRandom(1);
        KvStateMachine machine = new KvStateMachine(new KvConfig(121, 25));
        Model model = new Model();
        List<byte[]> recent = new ArrayList<>();
        boolean differed = false;
        long slot = 0;
        for (int step = 0; step < 20_000 && !differed; step++) {
            slot += random.nextInt(3);
            byte[] command = randomCommand(random, model.revision, recent);
            KvResult expected = Commands.parse(model.apply(slot, command));
            differed = !withoutErrorText(machine.apply(slot, command)).equals(expected);
        }
        assertThat(differed).isTrue();
    }

    /**
     * The result with its error sentence removed: the sentence is the machine's own wording, which the model does
     * not copy; that a BAD_COMMAND has one is checked here.
     */
    private static KvResult withoutErrorText(byte[] result) {
        KvResult parsed = Commands.parse(result);
        boolean explained = parsed.getStatus() == KvResult.Status.BAD_COMMAND
                || parsed.getStatus() == KvResult.Status.IDEMPOTENCY_KEY_REUSED;
        assertThat(parsed.getError().isEmpty()).isEqualTo(!explained);
        return parsed.toBuilder().clearError().build();
    }

    private static void assertSameContents(KvStateMachine machine, Model model, SplittableRandom random) {
        List<Item> expected = new ArrayList<>();
        model.keys.forEach((key, entry) -> expected.add(new Item(key, entry.value(), entry.version())));
        assertThat(machine.list(new byte[0], Integer.MAX_VALUE)).isEqualTo(expected);
        assertThat(machine.size()).isEqualTo(model.keys.size());
        assertThat(machine.idempotencyTableSize()).isEqualTo(model.remembered.size());
        for (int i = 0; i < 20; i++) {
            byte[] prefix = randomKey(random, 0, 2);
            int limit = random.nextInt(6);
            assertThat(machine.list(prefix, limit)).isEqualTo(model.list(prefix, limit));
            byte[] key = randomKey(random, 1, 3);
            assertThat(machine.get(key)).isEqualTo(Optional.ofNullable(model.keys.get(key)));
        }
    }

    /**
     * A random command: now and then garbage, often a retry of one of the {@code recent} commands (byte for byte, so
     * replays happen), otherwise a fresh put, delete or no-op, conditional on a version near {@code revision} a
     * quarter of the time, with an idempotency key from a small set a third of the time (so keys are reused for other
     * requests too).
     */
    private static byte[] randomCommand(SplittableRandom random, long revision, List<byte[]> recent) {
        if (!recent.isEmpty() && random.nextInt(5) == 0) {
            return recent.get(random.nextInt(recent.size()));
        }
        byte[] fresh = freshCommand(random, revision);
        recent.add(fresh);
        if (recent.size() > 20) {
            recent.remove(0);
        }
        return fresh;
    }

    private static byte[] freshCommand(SplittableRandom random, long revision) {
        int kind = random.nextInt(100);
        if (kind < 2) {
            byte[] garbage = new byte[random.nextInt(1, 8)];
            random.nextBytes(garbage);
            return garbage;
        }
        KvCommand.Builder command = KvCommand.newBuilder();
        ByteString key = ByteString.copyFrom(randomKey(random, kind < 4 ? 0 : 1, 3));
        // Revisions grow by one a command, so recent ones are likely to match a key's version.
        Long expectedVersion = random.nextInt(4) == 0 ? Math.max(0, revision - random.nextInt(0, 30)) : null;
        if (kind < 60) {
            ByteString value = ByteString.copyFromUtf8("v" + random.nextInt(1_000));
            Put.Builder put = Put.newBuilder().setKey(key).setValue(value);
            if (expectedVersion != null) {
                put.setExpectedVersion(expectedVersion);
            }
            put.setCreateOnly(random.nextInt(6) == 0);
            command.setPut(put);
        } else if (kind < 90) {
            Delete.Builder delete = Delete.newBuilder().setKey(key);
            if (expectedVersion != null) {
                delete.setExpectedVersion(expectedVersion);
            }
            command.setDelete(delete);
        } else if (kind < 97) {
            command.setNoop(Noop.getDefaultInstance());
        }
        if (random.nextInt(3) == 0) {
            command.setIdempotencyKey("id-" + random.nextInt(40));
        }
        return command.build().toByteArray();
    }

    private static byte[] randomKey(SplittableRandom random, int lengthMin, int lengthMax) {
        byte[] key = new byte[random.nextInt(lengthMin, lengthMax + 1)];
        for (int i = 0; i < key.length; i++) {
            key[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return key;
    }

    /** The rules written out as plainly as possible, with no attention to cost. */
    private static final class Model {
        /** A remembered idempotency key: the request it came with (key cleared), its revision and result. */
        private record Remembered(KvCommand request, long revision, byte[] result) {}

        final TreeMap<byte[], Entry> keys = new TreeMap<>(Arrays::compareUnsigned);
        final LinkedHashMap<String, Remembered> remembered = new LinkedHashMap<>();
        long revision;

        byte[] apply(long slot, byte[] bytes) {
            long now = ++revision;
            remembered.values().removeIf(entry -> now - entry.revision() >= CONFIG.idempotencyRetentionRevisions());
            KvCommand command;
            try {
                command = KvCommand.parseFrom(bytes);
            } catch (Exception unparseable) {
                return bad(slot, now).toByteArray();
            }
            String idempotencyKey = command.getIdempotencyKey();
            if (idempotencyKey.isEmpty()) {
                return execute(slot, now, command).toByteArray();
            }
            KvCommand request = command.toBuilder().clearIdempotencyKey().build();
            Remembered known = remembered.get(idempotencyKey);
            if (known != null) {
                return known.request().equals(request) ? known.result()
                        : KvResult.newBuilder().setStatus(KvResult.Status.IDEMPOTENCY_KEY_REUSED).setSlot(slot)
                                .setRevision(now).build().toByteArray();
            }
            byte[] result = execute(slot, now, command).toByteArray();
            remembered.put(idempotencyKey, new Remembered(request, now, result));
            Iterator<String> oldest = remembered.keySet().iterator();
            while (remembered.size() > CONFIG.idempotencyEntriesMax()) {
                oldest.next();
                oldest.remove();
            }
            return result;
        }

        private KvResult execute(long slot, long now, KvCommand command) {
            switch (command.getOperationCase()) {
                case PUT -> {
                    Put put = command.getPut();
                    byte[] key = put.getKey().toByteArray();
                    if (key.length == 0 || (put.hasExpectedVersion() && put.getCreateOnly())) {
                        return bad(slot, now);
                    }
                    Entry current = keys.get(key);
                    if (put.getCreateOnly() && current != null) {
                        return failed(slot, now, current);
                    }
                    if (put.hasExpectedVersion()
                            && (current == null || current.version() != put.getExpectedVersion())) {
                        return failed(slot, now, current);
                    }
                    keys.put(key, new Entry(put.getValue().toByteArray(), now));
                    return KvResult.newBuilder().setStatus(KvResult.Status.OK).setSlot(slot).setRevision(now)
                            .setVersion(now).setExists(true).build();
                }
                case DELETE -> {
                    Delete delete = command.getDelete();
                    byte[] key = delete.getKey().toByteArray();
                    if (key.length == 0) {
                        return bad(slot, now);
                    }
                    Entry current = keys.get(key);
                    if (delete.hasExpectedVersion()
                            && (current == null || current.version() != delete.getExpectedVersion())) {
                        return failed(slot, now, current);
                    }
                    keys.remove(key);
                    return KvResult.newBuilder().setStatus(KvResult.Status.OK).setSlot(slot).setRevision(now)
                            .setVersion(now).setDeleted(current != null).build();
                }
                case NOOP -> {
                    return KvResult.newBuilder().setStatus(KvResult.Status.OK).setSlot(slot).setRevision(now)
                            .build();
                }
                default -> {
                    return bad(slot, now);
                }
            }
        }

        List<Item> list(byte[] prefix, int limit) {
            List<Item> items = new ArrayList<>();
            for (Map.Entry<byte[], Entry> entry : keys.entrySet()) {
                byte[] key = entry.getKey();
                boolean matches = key.length >= prefix.length
                        && Arrays.equals(Arrays.copyOf(key, prefix.length), prefix);
                if (matches && items.size() < limit) {
                    items.add(new Item(key, entry.getValue().value(), entry.getValue().version()));
                }
            }
            return items;
        }

        private static KvResult failed(long slot, long now, Entry current) {
            long version = current == null ? 0 : current.version();
            return KvResult.newBuilder().setStatus(KvResult.Status.PRECONDITION_FAILED).setSlot(slot)
                    .setRevision(now).setVersion(version).setExists(current != null).setCurrentVersion(version)
                    .build();
        }

        private static KvResult bad(long slot, long now) {
            return KvResult.newBuilder().setStatus(KvResult.Status.BAD_COMMAND).setSlot(slot).setRevision(now)
                    .build();
        }
    }
}
