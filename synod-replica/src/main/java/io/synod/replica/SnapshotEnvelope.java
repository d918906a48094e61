package io.synod.replica;

import io.synod.core.StateMachine;

/**
 * What a snapshot file holds around the state machine's bytes: the node's election state as of the snapshot's slot
 * (an election through the log keeps its state in the log, so a node that starts from a snapshot needs it), then the
 * state machine's snapshot.
 *
 * <pre>
 *   magic "SYEL" u32 | election state length u32 | election state | state machine snapshot
 * </pre>
 * Big-endian. A snapshot without the magic (written before the envelope existed) is the state machine's bytes alone.
 */
final class SnapshotEnvelope {
    static final int MAGIC = 0x5359_454C; // "SYEL"
    private static final int MAX_ELECTION_STATE = 1 << 20;

    private SnapshotEnvelope() {}

    /** The snapshot to write: the envelope's header, then {@code inner}'s bytes. */
    static StateMachine.Snapshot wrap(byte[] electionState, StateMachine.Snapshot inner) {
        return sink -> {
            byte[] header = new byte[8];
            putInt(header, 0, MAGIC);
            putInt(header, 4, electionState.length);
            sink.write(header, 0, header.length);
            sink.write(electionState, 0, electionState.length);
            inner.writeTo(sink);
        };
    }

    /**
     * Restores {@code machine} from {@code source} and returns the election state the snapshot held (empty for a
     * snapshot without the envelope).
     *
     * @throws IllegalStateException if the envelope is damaged
     */
    static byte[] restore(StateMachine machine, StateMachine.SnapshotSource source) {
        byte[] header = new byte[8];
        int got = readFully(source, header, 0, header.length);
        if (got < header.length || getInt(header, 0) != MAGIC) {
            machine.restore(prefixed(header, got, source));
            return new byte[0];
        }
        int length = getInt(header, 4);
        if (length < 0 || length > MAX_ELECTION_STATE) {
            throw new IllegalStateException("snapshot envelope holds an election state of " + length + " bytes");
        }
        byte[] state = new byte[length];
        if (readFully(source, state, 0, length) < length) {
            throw new IllegalStateException("snapshot ends inside its election state");
        }
        machine.restore(source);
        return state;
    }

    private static StateMachine.SnapshotSource prefixed(byte[] prefix, int prefixLength,
            StateMachine.SnapshotSource rest) {
        int[] position = {0};
        return (buffer, offset, length) -> {
            if (position[0] < prefixLength) {
                int n = Math.min(length, prefixLength - position[0]);
                System.arraycopy(prefix, position[0], buffer, offset, n);
                position[0] += n;
                return n;
            }
            return rest.read(buffer, offset, length);
        };
    }

    private static int readFully(StateMachine.SnapshotSource source, byte[] buffer, int offset, int length) {
        int total = 0;
        while (total < length) {
            int n = source.read(buffer, offset + total, length - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static void putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
    }

    private static int getInt(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }
}
