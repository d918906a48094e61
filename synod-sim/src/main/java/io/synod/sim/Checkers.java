package io.synod.sim;

import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.core.Ballot;
import io.synod.kv.proto.KvCommand;
import io.synod.replica.kv.KvRequest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The simulator's oracle. It sees what no node can: every record any node persists and when it becomes durable, every
 * replica's state, and every client's requests and answers. The simulation calls it as things happen and after every
 * event; a violation throws {@link SimFailure} naming the checker.
 *
 * <ul>
 *   <li><b>agreement</b>: at most one value is ever chosen per slot — counted from durable acceptor votes, so it holds
 *       even for values no learner has learned — and every value any node learns is that one.</li>
 *   <li><b>replica consistency</b>: two replicas that applied the same number of slots have the same state digest.</li>
 *   <li><b>durability</b>: nothing is applied before a majority durably accepted it, and an acknowledged write is in
 *       the value chosen for the slot it was acknowledged with.</li>
 *   <li><b>exactly once</b>: a command with an idempotency key is executed (not merely answered) at one revision
 *       only, on every replica.</li>
 * </ul>
 * Linearizability of the client history is checked at the end of a run, by
 * {@link io.synod.sim.history.LinearizabilityChecker}.
 */
final class Checkers {
    private record Tally(Value value, long voters) {}

    private final int majority;
    private final Map<Long, Value> learned = new HashMap<>();
    private final Map<Long, Value> chosen = new HashMap<>();
    private final Map<Long, Map<Ballot, Tally>> votes = new HashMap<>();
    private final Map<Long, Long> digestByApplied = new HashMap<>();
    private final Map<String, Long> executedAt = new HashMap<>();
    private long highestChosen = -1;

    Checkers(int nodes) {
        this.majority = nodes / 2 + 1;
    }

    /** A node wrote a record (durable or not yet). A Chosen record means the node learned a value. */
    void onAppended(int node, Durable record) {
        if (record instanceof Durable.Chosen c) {
            Value first = learned.putIfAbsent(c.slot(), c.value());
            if (first != null && !first.equals(c.value())) {
                throw new SimFailure("agreement", "node " + node + " learned " + describe(c.value()) + " for slot "
                        + c.slot() + " but " + describe(first) + " was learned before");
            }
            Value truth = chosen.get(c.slot());
            if (truth != null && !truth.equals(c.value())) {
                throw new SimFailure("agreement", "node " + node + " learned " + describe(c.value()) + " for slot "
                        + c.slot() + " but a majority chose " + describe(truth));
            }
        }
    }

    /** A value's commands with a checksum of their bytes, so two values that differ in one byte read differently. */
    static String describe(Value value) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        for (io.synod.core.Command command : value.commands()) {
            crc.update(command.payload());
        }
        return value + "#" + Long.toHexString(crc.getValue());
    }

    /** A node recovered from its disk: every chosen value it recovered must be the one chosen. */
    void onRecovered(int node, io.synod.core.DurableState state) {
        for (Map.Entry<Long, Value> entry : state.chosen().entrySet()) {
            onAppended(node, new Durable.Chosen(entry.getKey(), entry.getValue()));
        }
    }

    /** A node's record became durable. Durable votes decide what is chosen. */
    void onDurable(int node, Durable record) {
        if (!(record instanceof Durable.Accepted a)) {
            return;
        }
        Map<Ballot, Tally> bySlot = votes.computeIfAbsent(a.slot(), s -> new HashMap<>());
        Tally tally = bySlot.get(a.ballot());
        if (tally != null && !tally.value().equals(a.value())) {
            throw new SimFailure("agreement", "slot " + a.slot() + " has two values in ballot " + a.ballot());
        }
        long voters = (tally == null ? 0 : tally.voters()) | (1L << node);
        bySlot.put(a.ballot(), new Tally(a.value(), voters));
        if (Long.bitCount(voters) >= majority) {
            Value previous = chosen.putIfAbsent(a.slot(), a.value());
            if (previous != null && !previous.equals(a.value())) {
                throw new SimFailure("agreement", "two values chosen for slot " + a.slot() + ": " + previous
                        + " and, in ballot " + a.ballot() + ", " + a.value());
            }
            Value known = learned.get(a.slot());
            if (known != null && !known.equals(a.value())) {
                throw new SimFailure("agreement", "slot " + a.slot() + " was learned as " + known
                        + " but a majority chose " + a.value());
            }
            highestChosen = Math.max(highestChosen, a.slot());
        }
    }

    /**
     * A replica applies a command of {@code slot}. It must be in the value a majority durably accepted: nothing may
     * take effect on a node before it is chosen in a way that survives any crash.
     */
    void onApply(int node, long slot, byte[] payload) {
        Value truth = chosen.get(slot);
        boolean found = truth != null && truth.commands().stream()
                .anyMatch(command -> java.util.Arrays.equals(command.payload(), payload));
        if (!found) {
            throw new SimFailure("durability", "node " + node + " applied a command of slot " + slot
                    + " that no majority has durably accepted (chosen: " + truth + ")");
        }
    }

    /** After every event, for each running replica. */
    void onReplicaState(int node, long applied, long digest) {
        Long known = digestByApplied.putIfAbsent(applied, digest);
        if (known != null && known != digest) {
            throw new SimFailure("replica-consistency", "node " + node + " applied " + applied
                    + " slots with state digest " + Long.toHexString(digest) + ", another had "
                    + Long.toHexString(known));
        }
    }

    /**
     * A client got a definite answer for {@code request} naming {@code slot}: the value chosen there must hold a
     * command for exactly that request (for a retried request, the slot of its first application).
     */
    void onWriteAnswer(KvRequest request, long slot) {
        Value value = learned.get(slot);
        boolean found = value != null && value.commands().stream()
                .map(command -> CheckedStore.parse(command.payload()))
                .anyMatch(command -> command != null && matches(command, request));
        if (!found) {
            throw new SimFailure("durability", "a write acknowledged at slot " + slot + " is not in the value "
                    + "learned there: " + (value == null ? "nothing learned" : describe(value)));
        }
    }

    private static boolean matches(KvCommand command, KvRequest request) {
        return switch (request) {
            case KvRequest.Put put -> command.hasPut()
                    && Arrays.equals(command.getPut().getKey().toByteArray(), put.key())
                    && Arrays.equals(command.getPut().getValue().toByteArray(), put.value())
                    && command.getIdempotencyKey().equals(put.idempotencyKey() == null ? "" : put.idempotencyKey());
            case KvRequest.Delete delete -> command.hasDelete()
                    && Arrays.equals(command.getDelete().getKey().toByteArray(), delete.key())
                    && command.getIdempotencyKey().equals(
                            delete.idempotencyKey() == null ? "" : delete.idempotencyKey());
            default -> false;
        };
    }

    /**
     * Node {@code node} executed a command with {@code idempotencyKey} at {@code revision} (it was not a replay). Every
     * replica executes it at the same revision; another execution anywhere is the key applied twice.
     */
    void onExecuted(int node, String idempotencyKey, long revision) {
        Long first = executedAt.putIfAbsent(idempotencyKey, revision);
        if (first != null && first != revision) {
            throw new SimFailure("exactly-once", "node " + node + " executed the request with idempotency key "
                    + idempotencyKey + " at revision " + revision + ", but it was executed at revision " + first
                    + " before");
        }
    }

    long highestChosen() {
        return highestChosen;
    }

    // ----- the log election's specification (seed 002) -----

    /** The specification's state after each valid BeMaster: slot -> {version after it, holder}. */
    private final java.util.TreeMap<Long, long[]> beMasters = new java.util.TreeMap<>();
    private long specScannedBelow;
    private long specVersion;

    /**
     * Node {@code node}'s log election says that as of {@code slot} the version is {@code version} and the master is
     * {@code holder}. Checked against the specification run over the chosen log: a BeMaster takes effect only if the
     * version it carries is the current one. Slots not yet learned by anyone are not checked.
     */
    void onLogElectionState(int node, long slot, long version, int holder) {
        for (; specScannedBelow < slot; specScannedBelow++) {
            Value value = learned.get(specScannedBelow);
            if (value == null) {
                return; // a slot nobody has recorded learning yet: check later
            }
            for (io.synod.core.Command command : value.commands()) {
                byte[] p = command.payload();
                if (!command.isClient() && p.length == 21 && p[0] == 'B') {
                    long carried = java.nio.ByteBuffer.wrap(p, 5, 8).getLong();
                    if (carried == specVersion) {
                        specVersion++;
                        beMasters.put(specScannedBelow, new long[] {specVersion,
                                java.nio.ByteBuffer.wrap(p, 1, 4).getInt()});
                    }
                }
            }
        }
        Map.Entry<Long, long[]> spec = beMasters.lowerEntry(slot);
        long specAt = spec == null ? 0 : spec.getValue()[0];
        long specHolder = spec == null ? -1 : spec.getValue()[1];
        if (version != specAt || holder != specHolder) {
            throw new SimFailure("log-election", "node " + node + " holds version " + version + " with master "
                    + holder + " as of slot " + slot + ", but the chosen log gives version " + specAt
                    + " with master " + specHolder);
        }
    }

    int learnedSlots() {
        return learned.size();
    }
}
