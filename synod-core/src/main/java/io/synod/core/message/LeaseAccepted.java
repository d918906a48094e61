package io.synod.core.message;

import io.synod.core.Ballot;

/**
 * The answer to a {@link LeasePropose}: whether the receiver accepted the proposal in {@code ballot}, and its own first
 * unchosen slot, so a requester refused for being behind knows how far to catch up.
 */
public record LeaseAccepted(Ballot ballot, boolean granted, long firstUnchosen) implements ElectionMessage {}
