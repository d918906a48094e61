package io.synod.core.message;

import io.synod.core.Ballot;

/** Phase 2b: the sender accepted, durably, the value proposed for {@code slot} in {@code ballot}. */
public record Accepted(Ballot ballot, long slot) implements Message {}
