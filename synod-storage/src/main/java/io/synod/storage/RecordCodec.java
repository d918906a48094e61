package io.synod.storage;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.core.paxos.Ballot;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload encoding of {@link Durable} records in the write-ahead log: a type byte (kept in the record header) and
 * a fixed binary layout per type, big-endian. Framing and checksums are the log's business ({@link WalFormat}).
 */
public final class RecordCodec {
    public static final byte PROMISED = 1;
    public static final byte ACCEPTED = 2;
    public static final byte CHOSEN = 3;

    private RecordCodec() {}

    public static byte type(Durable record) {
        return switch (record) {
            case Durable.Promised p -> PROMISED;
            case Durable.Accepted a -> ACCEPTED;
            case Durable.Chosen c -> CHOSEN;
        };
    }

    /** The payload bytes of {@code record}. */
    public static byte[] encode(Durable record) {
        return switch (record) {
            case Durable.Promised p -> ByteBuffer.allocate(12).putLong(p.ballot().round())
                    .putInt(p.ballot().nodeId()).array();
            case Durable.Accepted a -> {
                ByteBuffer buffer = ByteBuffer.allocate(8 + 12 + valueSize(a.value()));
                buffer.putLong(a.slot()).putLong(a.ballot().round()).putInt(a.ballot().nodeId());
                putValue(buffer, a.value());
                yield buffer.array();
            }
            case Durable.Chosen c -> {
                ByteBuffer buffer = ByteBuffer.allocate(8 + valueSize(c.value()));
                buffer.putLong(c.slot());
                putValue(buffer, c.value());
                yield buffer.array();
            }
        };
    }

    /**
     * Decodes a payload of the given type.
     *
     * @throws IllegalArgumentException if the bytes are not a well-formed record of that type
     */
    public static Durable decode(byte type, byte[] payload) {
        ByteBuffer buffer = ByteBuffer.wrap(payload);
        try {
            Durable record = switch (type) {
                case PROMISED -> new Durable.Promised(ballot(buffer));
                case ACCEPTED -> new Durable.Accepted(buffer.getLong(), ballot(buffer), value(buffer));
                case CHOSEN -> new Durable.Chosen(buffer.getLong(), value(buffer));
                default -> throw new IllegalArgumentException("unknown record type " + type);
            };
            if (buffer.hasRemaining()) {
                throw new IllegalArgumentException(buffer.remaining() + " bytes left over after the record");
            }
            return record;
        } catch (BufferUnderflowException truncated) {
            throw new IllegalArgumentException("record is truncated", truncated);
        }
    }

    private static Ballot ballot(ByteBuffer buffer) {
        long round = buffer.getLong();
        int nodeId = buffer.getInt();
        return round == 0 ? Ballot.ZERO : new Ballot(round, nodeId);
    }

    private static int valueSize(Value value) {
        int size = 4;
        for (Command command : value.commands()) {
            size += 4 + 8 + 4 + command.payload().length;
        }
        return size;
    }

    private static void putValue(ByteBuffer buffer, Value value) {
        buffer.putInt(value.commands().size());
        for (Command command : value.commands()) {
            buffer.putInt(command.origin()).putLong(command.requestId());
            buffer.putInt(command.payload().length).put(command.payload());
        }
    }

    private static Value value(ByteBuffer buffer) {
        int count = buffer.getInt();
        if (count < 0 || count > buffer.remaining() / 16) {
            throw new IllegalArgumentException("bad command count " + count);
        }
        if (count == 0) {
            return Value.NOOP;
        }
        List<Command> commands = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int origin = buffer.getInt();
            long requestId = buffer.getLong();
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalArgumentException("bad command length " + length);
            }
            byte[] payload = new byte[length];
            buffer.get(payload);
            commands.add(new Command(origin, requestId, payload));
        }
        return new Value(commands);
    }
}
