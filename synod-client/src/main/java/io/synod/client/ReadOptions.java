package io.synod.client;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * How a get or a list reads. Immutable: each method returns a new instance, starting from {@link #defaults()}.
 *
 * @param consistency how current the answer must be ({@code consistency=})
 * @param minSlot the answering node first waits (bounded) until it has applied this slot ({@code min-slot=}): pass
 *     the {@code slot} a write answered to read your own writes, even at {@link Consistency#STALE}
 */
public record ReadOptions(Consistency consistency, OptionalLong minSlot) {
    private static final ReadOptions DEFAULTS = new ReadOptions(Consistency.LINEARIZABLE, OptionalLong.empty());

    /** Checks the values. */
    public ReadOptions {
        Objects.requireNonNull(consistency, "consistency");
        Objects.requireNonNull(minSlot, "minSlot");
        if (minSlot.isPresent() && minSlot.getAsLong() < 0) {
            throw new IllegalArgumentException("a slot is never negative: " + minSlot.getAsLong());
        }
    }

    /** Linearizable, no min-slot. */
    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    /** These options at another consistency. */
    public ReadOptions consistency(Consistency level) {
        return new ReadOptions(level, minSlot);
    }

    /** These options, waiting until the answering node has applied {@code slot}. */
    public ReadOptions minSlot(long slot) {
        return new ReadOptions(consistency, OptionalLong.of(slot));
    }
}
