package io.synod.sim.bugs;

import com.google.protobuf.ByteString;
import io.synod.kv.KvStore;
import io.synod.kv.proto.KvCommand;

/**
 * Planted bug: a non-deterministic state machine. On node 0, every seventh put writes a value of its own instead of
 * the command's, so that replica's state drifts from the others'.
 */
public final class DivergesOnNodeZero extends ForwardingStore {
    private final boolean diverges;
    private long puts;

    public DivergesOnNodeZero(int nodeId, KvStore delegate) {
        super(delegate);
        this.diverges = nodeId == 0;
    }

    @Override
    public byte[] apply(long slot, byte[] command) {
        if (!diverges) {
            return delegate.apply(slot, command);
        }
        try {
            KvCommand parsed = KvCommand.parseFrom(command);
            if (parsed.hasPut() && ++puts % 7 == 3) {
                KvCommand.Builder changed = parsed.toBuilder();
                changed.getPutBuilder().setValue(ByteString.copyFromUtf8("node zero's own"));
                return delegate.apply(slot, changed.build().toByteArray());
            }
        } catch (Exception unparseable) {
            // fall through: apply as it came
        }
        return delegate.apply(slot, command);
    }
}
