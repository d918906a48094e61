package io.synod.sim.bugs;

import io.synod.kv.KvStore;

/**
 * A store on node 0 that applies every command one step late, after the next one has arrived, and answers each with
 * the result of the one it really applied: its state and its answers are out of step with the log.
 */
public final class AppliesOneBehind extends ForwardingStore {
    private final int nodeId;
    private long heldSlot = -1;
    private byte[] held;
    private byte[] lastResult;

    public AppliesOneBehind(int nodeId, KvStore delegate) {
        super(delegate);
        this.nodeId = nodeId;
    }

    @Override
    public byte[] apply(long slot, byte[] command) {
        if (nodeId != 0) {
            return delegate.apply(slot, command);
        }
        if (lastResult == null) {
            lastResult = delegate.apply(slot, command);
            return lastResult;
        }
        if (held != null) {
            lastResult = delegate.apply(heldSlot, held);
        }
        held = command;
        heldSlot = slot;
        return lastResult;
    }
}
