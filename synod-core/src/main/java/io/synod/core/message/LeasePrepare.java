package io.synod.core.message;

import io.synod.core.Ballot;

/** Lease phase 1: the sender asks the receiver to promise lease ballot {@code ballot}. */
public record LeasePrepare(Ballot ballot) implements ElectionMessage {}
