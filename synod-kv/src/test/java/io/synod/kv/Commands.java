package io.synod.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.synod.core.StateMachine;
import io.synod.kv.proto.Delete;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.KvResult;
import io.synod.kv.proto.Noop;
import io.synod.kv.proto.Put;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builders for the commands tests apply, and helpers to read results and move snapshots through memory. */
final class Commands {
    private Commands() {}

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static KvCommand.Builder put(String key, String value) {
        return put(bytes(key), bytes(value));
    }

    static KvCommand.Builder put(byte[] key, byte[] value) {
        return KvCommand.newBuilder()
                .setPut(Put.newBuilder().setKey(ByteString.copyFrom(key)).setValue(ByteString.copyFrom(value)));
    }

    static KvCommand.Builder putIfVersion(String key, String value, long expectedVersion) {
        KvCommand.Builder command = put(key, value);
        command.getPutBuilder().setExpectedVersion(expectedVersion);
        return command;
    }

    static KvCommand.Builder putIfAbsent(String key, String value) {
        KvCommand.Builder command = put(key, value);
        command.getPutBuilder().setCreateOnly(true);
        return command;
    }

    static KvCommand.Builder delete(String key) {
        return delete(bytes(key));
    }

    static KvCommand.Builder delete(byte[] key) {
        return KvCommand.newBuilder().setDelete(Delete.newBuilder().setKey(ByteString.copyFrom(key)));
    }

    static KvCommand.Builder deleteIfVersion(String key, long expectedVersion) {
        KvCommand.Builder command = delete(key);
        command.getDeleteBuilder().setExpectedVersion(expectedVersion);
        return command;
    }

    static KvCommand.Builder noop() {
        return KvCommand.newBuilder().setNoop(Noop.getDefaultInstance());
    }

    /** Applies {@code command} in {@code slot} and parses the result. */
    static KvResult apply(KvStateMachine machine, long slot, KvCommand.Builder command) {
        return parse(machine.apply(slot, command.build().toByteArray()));
    }

    static KvResult parse(byte[] result) {
        try {
            return KvResult.parseFrom(result);
        } catch (InvalidProtocolBufferException notAResult) {
            throw new AssertionError("apply returned bytes that are not a KvResult", notAResult);
        }
    }

    static byte[] snapshotBytes(KvStateMachine machine) {
        return write(machine.snapshot());
    }

    static byte[] write(StateMachine.Snapshot snapshot) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        snapshot.writeTo(bytes::write);
        return bytes.toByteArray();
    }

    /** A source that hands out {@code bytes} at most {@code chunkBytes} at a time, as a file would. */
    static StateMachine.SnapshotSource source(byte[] bytes, int chunkBytes) {
        int[] position = {0};
        return (buffer, offset, length) -> {
            if (position[0] >= bytes.length) {
                return -1;
            }
            int read = Math.min(Math.min(length, chunkBytes), bytes.length - position[0]);
            System.arraycopy(bytes, position[0], buffer, offset, read);
            position[0] += read;
            return read;
        };
    }

    static StateMachine.SnapshotSource source(byte[] bytes) {
        return source(bytes, 8_192);
    }

    static KvStateMachine restored(byte[] snapshot, KvConfig config) {
        KvStateMachine machine = new KvStateMachine(config);
        machine.restore(source(snapshot));
        return machine;
    }
}
