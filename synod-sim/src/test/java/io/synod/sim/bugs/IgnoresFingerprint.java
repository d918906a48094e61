package io.synod.sim.bugs;

import io.synod.kv.KvStore;
import io.synod.kv.proto.KvCommand;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Planted bug (bug 2 of issue 8): the idempotency table ignores the request's fingerprint. A command whose
 * idempotency key was used before, for any request, is answered with the first request's result and changes
 * nothing — "success" for a write that never happened. Done by handing the store the first request's bytes instead.
 */
public final class IgnoresFingerprint extends ForwardingStore {
    private final Map<String, byte[]> firstRequest = new HashMap<>();

    public IgnoresFingerprint(KvStore delegate) {
        super(delegate);
    }

    @Override
    public byte[] apply(long slot, byte[] command) {
        KvCommand parsed;
        try {
            parsed = KvCommand.parseFrom(command);
        } catch (Exception unparseable) {
            return delegate.apply(slot, command);
        }
        String key = parsed.getIdempotencyKey();
        if (key.isEmpty()) {
            return delegate.apply(slot, command);
        }
        byte[] first = firstRequest.putIfAbsent(key, command);
        return delegate.apply(slot, first != null && !Arrays.equals(first, command) ? first : command);
    }
}
