package io.synod.net;

import io.synod.core.Command;
import io.synod.core.LogEntry;
import io.synod.core.Value;
import io.synod.core.message.Accept;
import io.synod.core.message.Accepted;
import io.synod.core.message.AcceptedSlot;
import io.synod.core.message.CatchUpReply;
import io.synod.core.message.CatchUpRequest;
import io.synod.core.message.Commit;
import io.synod.core.message.Confirm;
import io.synod.core.message.Confirmed;
import io.synod.core.message.LeaseAccepted;
import io.synod.core.message.LeasePrepare;
import io.synod.core.message.LeasePromise;
import io.synod.core.message.LeasePropose;
import io.synod.core.message.LeaseRelease;
import io.synod.core.message.Message;
import io.synod.core.message.Nack;
import io.synod.core.message.Prepare;
import io.synod.core.message.Promise;
import io.synod.core.message.SnapshotChunk;
import io.synod.core.message.SnapshotRequest;
import io.synod.core.Ballot;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/** Random protocol messages from a seeded source, covering every message type and the edges of every field. */
final class RandomMessages {
    private final SplittableRandom random;

    RandomMessages(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** One generator per message type; {@code MessageCodecTest} checks this covers every permitted subtype. */
    List<Function<RandomMessages, Message>> generators() {
        return List.of(
                r -> new Prepare(r.ballot(), r.anyLong()),
                r -> new Promise(r.ballot(), r.anyLong(), r.anyLong(), r.acceptedSlots()),
                r -> new Accept(r.ballot(), r.anyLong(), r.value(), r.anyLong(), r.anyLong()),
                r -> new Accepted(r.ballot(), r.anyLong()),
                r -> new Nack(r.ballot(), r.ballot(), r.anyLong()),
                r -> new Commit(r.ballot(), r.anyLong(), r.anyLong()),
                r -> new CatchUpRequest(r.anyLong()),
                r -> new CatchUpReply(r.anyLong(), r.logEntries(), r.random.nextBoolean() ? -1 : r.anyLong()),
                r -> new SnapshotRequest(r.anyLong(), r.anyLong()),
                r -> new SnapshotChunk(r.anyLong(), r.anyLong(), r.anyLong(), r.bytes(4096)),
                r -> new Confirm(r.ballot(), r.anyLong()),
                r -> new Confirmed(r.ballot(), r.anyLong()),
                r -> new LeasePrepare(r.ballot()),
                r -> new LeasePromise(r.ballot(), r.random.nextBoolean(), r.random.nextBoolean() ? -1 : r.anyInt(),
                        r.anyLong()),
                r -> new LeasePropose(r.ballot(), r.anyInt(), r.anyLong(), r.anyLong()),
                r -> new LeaseAccepted(r.ballot(), r.random.nextBoolean(), r.anyLong()),
                r -> new LeaseRelease(r.ballot(), r.anyInt()));
    }

    /** A random message of a random type. */
    Message next() {
        List<Function<RandomMessages, Message>> generators = generators();
        return generators.get(random.nextInt(generators.size())).apply(this);
    }

    /** Mostly small values, sometimes the extremes, sometimes anything. */
    long anyLong() {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            case 2 -> -1;
            case 3 -> random.nextLong();
            default -> random.nextLong(1_000_000);
        };
    }

    int anyInt() {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            case 1 -> random.nextInt();
            default -> random.nextInt(16);
        };
    }

    Ballot ballot() {
        if (random.nextInt(8) == 0) {
            return Ballot.ZERO;
        }
        long round = random.nextBoolean() ? 1 + random.nextLong(1_000) : 1 + random.nextLong(Long.MAX_VALUE);
        return new Ballot(round, anyInt());
    }

    long slot() {
        return random.nextInt(4) == 0 ? random.nextLong(Long.MAX_VALUE) : random.nextLong(100_000);
    }

    byte[] bytes(int maxLength) {
        byte[] bytes = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(maxLength + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    Value value() {
        if (random.nextInt(4) == 0) {
            return Value.NOOP;
        }
        List<Command> commands = new ArrayList<>();
        int count = 1 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            Command.Kind kind = random.nextInt(4) == 0 ? Command.Kind.ELECTION : Command.Kind.CLIENT;
            commands.add(new Command(kind, anyInt(), anyLong(), bytes(256)));
        }
        return new Value(commands);
    }

    List<AcceptedSlot> acceptedSlots() {
        List<AcceptedSlot> slots = new ArrayList<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            slots.add(new AcceptedSlot(anyLong(), ballot(), value(), random.nextBoolean()));
        }
        return slots;
    }

    List<LogEntry> logEntries() {
        List<LogEntry> entries = new ArrayList<>();
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            entries.add(new LogEntry(slot(), value()));
        }
        return entries;
    }
}
