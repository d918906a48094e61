package io.synod.core.message;

import io.synod.core.Value;
import io.synod.core.Ballot;

/**
 * What an acceptor reports about one slot in a {@link Promise}: the value it accepted and the ballot it accepted it in.
 * {@code chosen} is true when the acceptor already knows the value is chosen; the proposer may then learn it directly.
 */
public record AcceptedSlot(long slot, Ballot ballot, Value value, boolean chosen) {}
