package io.synod.core.message;

import io.synod.core.Ballot;

/** The answer to a {@link Confirm}: the sender has promised no ballot above {@code ballot}. */
public record Confirmed(Ballot ballot, long round) implements Message {}
