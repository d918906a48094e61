package io.synod.core.message;

import io.synod.core.Ballot;

/**
 * A refusal: the sender has promised {@code promised}, which is above the {@code rejected} ballot of a Prepare or an
 * Accept. The proposer learns the higher ballot and steps down.
 */
public record Nack(Ballot rejected, Ballot promised, long committed) implements Message {}
