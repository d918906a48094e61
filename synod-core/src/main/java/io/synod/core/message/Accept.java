package io.synod.core.message;

import io.synod.core.Value;
import io.synod.core.Ballot;

/**
 * Phase 2a: accept {@code value} for {@code slot} in {@code ballot}.
 *
 * <p>It carries the leader's commit news for free: every slot below {@code chosenBelow} that the receiver accepted in
 * this same {@code ballot} is chosen (see {@link Commit}).
 *
 * @param committed the sender's commit index, so a receiver that is behind can tell and catch up
 */
public record Accept(Ballot ballot, long slot, Value value, long chosenBelow, long committed) implements Message {}
