package io.synod.replica;

import io.synod.core.message.Envelope;

/**
 * Carries messages to peers. Called by the replica loop on its one thread.
 *
 * <p>Contract: {@link #send} never blocks and never throws for an unreachable peer. It may drop, delay, duplicate or
 * reorder messages (the protocol is safe under all of these); it must not alter one. Messages to a peer that is down
 * are dropped. A bounded outbound queue that is full drops too.
 */
public interface Transport {
    void send(Envelope envelope);
}
