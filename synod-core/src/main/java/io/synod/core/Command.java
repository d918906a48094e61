package io.synod.core;

import java.util.Arrays;

/**
 * One client command inside a slot's value: opaque bytes for the state machine, tagged with the node that proposed it
 * and a request id that node chose. The tag lets the proposing node recognise its own command when it is chosen, and
 * lets it re-propose a command whose slot went to another value. The core never looks inside the payload.
 *
 * <p>A command is of one of two {@link Kind}s: a client's, which the replica hands to the state machine, or an
 * election's, which it does not; the node hands the latter to its {@link io.synod.core.election.Election} when
 * chosen.
 *
 * <p>Immutable: the payload array is never modified after construction, by anyone.
 */
public final class Command {
    /** Whose command this is. */
    public enum Kind {
        /** A client's command, for the state machine. */
        CLIENT,
        /** The master election's own command (a {@code BeMaster}, say); never given to the state machine. */
        ELECTION
    }

    private final Kind kind;
    private final int origin;
    private final long requestId;
    private final byte[] payload;

    /** A client command. */
    public Command(int origin, long requestId, byte[] payload) {
        this(Kind.CLIENT, origin, requestId, payload);
    }

    public Command(Kind kind, int origin, long requestId, byte[] payload) {
        if (payload == null || kind == null) {
            throw new IllegalArgumentException("kind and payload must not be null");
        }
        this.kind = kind;
        this.origin = origin;
        this.requestId = requestId;
        this.payload = payload;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether this is a client command, for the state machine. */
    public boolean isClient() {
        return kind == Kind.CLIENT;
    }

    /** Node id of the node that proposed this command. */
    public int origin() {
        return origin;
    }

    /** Request id chosen by the origin node; unique among that node's commands. */
    public long requestId() {
        return requestId;
    }

    /** The state machine's bytes. Callers must not modify the array. */
    public byte[] payload() {
        return payload;
    }

    /** Bytes this command counts for in batch limits: payload plus a fixed header. */
    public int sizeBytes() {
        return payload.length + 16;
    }

    public boolean sameRequest(Command other) {
        return origin == other.origin && requestId == other.requestId;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c
                && kind == c.kind
                && origin == c.origin
                && requestId == c.requestId
                && Arrays.equals(payload, c.payload);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(requestId) * 31 + origin) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return (kind == Kind.CLIENT ? "cmd(" : "election(") + origin + "/" + Long.toHexString(requestId) + "," + payload.length + "B)";
    }
}
