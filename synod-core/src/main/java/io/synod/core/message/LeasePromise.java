package io.synod.core.message;

import io.synod.core.Ballot;

/**
 * The answer to a {@link LeasePrepare}. If {@code granted}, the receiver promised {@code ballot}; {@code holder} is the
 * node whose lease it has accepted and still believes live ({@code -1} if none), for {@code leaseMs} from when it
 * accepted it.
 */
public record LeasePromise(Ballot ballot, boolean granted, int holder, long leaseMs) implements ElectionMessage {}
