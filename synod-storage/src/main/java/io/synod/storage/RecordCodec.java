package io.synod.storage;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.core.Ballot;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload encoding of {@link Durable} records in the write-ahead log: a type byte (kept in the record header) and
 * a fixed binary layout per type, big-endian. Framing and checksums are the log's business ({@link WalFormat}).
 *
 * <p>A value is {@code count u32}, then per command {@code origin u32 | request id u64 | length u32 | payload}. A value
 * that holds an election command ({@link Command.Kind#ELECTION}) is written under the {@code *_WITH_KINDS} types, whose
 * commands carry one more byte, the kind, before the origin; values of client commands only keep the original layout,
 * so logs written before kinds existed read the same.
 */
public final class RecordCodec {
    public static final byte PROMISED = 1;
    public static final byte ACCEPTED = 2;
    public static final byte CHOSEN = 3;
    public static final byte ACCEPTED_WITH_KINDS = 4;
    public static final byte CHOSEN_WITH_KINDS = 5;

    private RecordCodec() {}

    public static byte type(Durable record) {
        return switch (record) {
            case Durable.Promised p -> PROMISED;
            case Durable.Accepted a -> hasKinds(a.value()) ? ACCEPTED_WITH_KINDS : ACCEPTED;
            case Durable.Chosen c -> hasKinds(c.value()) ? CHOSEN_WITH_KINDS : CHOSEN;
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
                case ACCEPTED -> new Durable.Accepted(buffer.getLong(), ballot(buffer), value(buffer, false));
                case CHOSEN -> new Durable.Chosen(buffer.getLong(), value(buffer, false));
                case ACCEPTED_WITH_KINDS -> new Durable.Accepted(buffer.getLong(), ballot(buffer), value(buffer, true));
                case CHOSEN_WITH_KINDS -> new Durable.Chosen(buffer.getLong(), value(buffer, true));
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

    private static boolean hasKinds(Value value) {
        for (Command command : value.commands()) {
            if (!command.isClient()) {
                return true;
            }
        }
        return false;
    }

    private static int valueSize(Value value) {
        int size = 4;
        boolean kinds = hasKinds(value);
        for (Command command : value.commands()) {
            size += (kinds ? 1 : 0) + 4 + 8 + 4 + command.payload().length;
        }
        return size;
    }

    private static void putValue(ByteBuffer buffer, Value value) {
        boolean kinds = hasKinds(value);
        buffer.putInt(value.commands().size());
        for (Command command : value.commands()) {
            if (kinds) {
                buffer.put((byte) command.kind().ordinal());
            }
            buffer.putInt(command.origin()).putLong(command.requestId());
            buffer.putInt(command.payload().length).put(command.payload());
        }
    }

    private static Value value(ByteBuffer buffer, boolean kinds) {
        int count = buffer.getInt();
        if (count < 0 || count > buffer.remaining() / 16) {
            throw new IllegalArgumentException("bad command count " + count);
        }
        if (count == 0) {
            return Value.NOOP;
        }
        List<Command> commands = new ArrayList<>(count);
        Command.Kind[] allKinds = Command.Kind.values();
        for (int i = 0; i < count; i++) {
            Command.Kind kind = Command.Kind.CLIENT;
            if (kinds) {
                int ordinal = buffer.get();
                if (ordinal < 0 || ordinal >= allKinds.length) {
                    throw new IllegalArgumentException("bad command kind " + ordinal);
                }
                kind = allKinds[ordinal];
            }
            int origin = buffer.getInt();
            long requestId = buffer.getLong();
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalArgumentException("bad command length " + length);
            }
            byte[] payload = new byte[length];
            buffer.get(payload);
            commands.add(new Command(kind, origin, requestId, payload));
        }
        return new Value(commands);
    }
}
