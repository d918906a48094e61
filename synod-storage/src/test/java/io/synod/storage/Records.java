package io.synod.storage;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.core.Ballot;
import java.nio.charset.StandardCharsets;

/** Test records whose content follows from their slot, so a reader can tell an intact record from a damaged one. */
final class Records {
    private Records() {}

    static Value value(long slot, int bytes) {
        byte[] payload = new byte[bytes];
        byte[] tag = ("slot-" + slot + "|").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes; i++) {
            payload[i] = tag[i % tag.length];
        }
        return Value.of(new Command(1, slot, payload));
    }

    static Durable accepted(long slot) {
        return new Durable.Accepted(slot, new Ballot(3, 1), value(slot, 100));
    }

    static Durable chosen(long slot) {
        return new Durable.Chosen(slot, value(slot, 100));
    }
}
