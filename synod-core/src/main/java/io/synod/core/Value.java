package io.synod.core;

import java.util.List;

/**
 * The value of one slot: a batch of commands, or a no-op that fills a hole. A value is immutable.
 *
 * <p>A no-op is an empty batch: a proposer that takes over fills slots it finds with no accepted value with it, so the
 * log has no gaps (seed 004, Multi-Paxos).
 */
public record Value(List<Command> commands) {
    public static final Value NOOP = new Value(List.of());

    public Value {
        commands = List.copyOf(commands);
    }

    public static Value of(Command... commands) {
        return new Value(List.of(commands));
    }

    public boolean isNoop() {
        return commands.isEmpty();
    }

    public int sizeBytes() {
        int size = 8;
        for (Command command : commands) {
            size += command.sizeBytes();
        }
        return size;
    }

    @Override
    public String toString() {
        return isNoop() ? "noop" : commands.toString();
    }
}
