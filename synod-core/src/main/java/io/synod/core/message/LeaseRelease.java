package io.synod.core.message;

import io.synod.core.Ballot;

/** {@code holder} gives up the lease it holds in {@code ballot} before it runs out (a clean shutdown). */
public record LeaseRelease(Ballot ballot, int holder) implements ElectionMessage {}
