package io.synod.sim;

import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.core.paxos.Ballot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
 *   <li><b>durability</b>: an acknowledged command is in the value chosen for the slot it was acknowledged with, and in
 *       the end every replica holds it at the acknowledged position.</li>
 *   <li><b>linearizability</b> of the appends: an append acknowledged before another was first sent sits earlier in
 *       its list; two answers to one request never differ.</li>
 * </ul>
 */
final class Checkers {
    /** One client request: when it was first sent and, once answered, where its element went. */
    static final class Request {
        final AppendCommand command;
        final long invokedAtMs;
        long answeredAtMs = -1;
        long slot = -1;
        int position = -1;

        Request(AppendCommand command, long invokedAtMs) {
            this.command = command;
            this.invokedAtMs = invokedAtMs;
        }
    }

    private record Tally(Value value, long voters) {}

    private final int majority;
    private final Map<Long, Value> learned = new HashMap<>();
    private final Map<Long, Value> chosen = new HashMap<>();
    private final Map<Long, Map<Ballot, Tally>> votes = new HashMap<>();
    private final Map<Long, Long> digestByApplied = new HashMap<>();
    private final List<Request> requests = new ArrayList<>();
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

    Request onInvoke(AppendCommand command, long nowMs) {
        Request request = new Request(command, nowMs);
        requests.add(request);
        return request;
    }

    /** A client got an answer. Checks it against what was chosen and against earlier answers. */
    void onAnswer(Request request, long slot, int position, long nowMs) {
        if (request.answeredAtMs >= 0) {
            // -1 is the state machine saying "this client has moved past that request": a late duplicate, not news.
            if (position != -1 && request.position != position) {
                throw new SimFailure("linearizability", "request " + request.command + " answered with positions "
                        + request.position + " and " + position);
            }
            return;
        }
        Value value = learned.get(slot);
        boolean found = value != null && value.commands().stream()
                .map(c -> AppendCommand.decode(c.payload()))
                .anyMatch(c -> c.client() == request.command.client() && c.sequence() == request.command.sequence());
        if (!found || position < 0) {
            throw new SimFailure("durability", "request " + request.command + " acknowledged at slot " + slot
                    + " which holds " + value);
        }
        request.answeredAtMs = nowMs;
        request.slot = slot;
        request.position = position;
    }

    /** At the end: every answered append sits at its position on every replica, and the order respects real time. */
    void checkFinal(Map<Integer, ListStateMachine> replicas) {
        for (Map.Entry<Integer, ListStateMachine> replica : replicas.entrySet()) {
            for (Request request : requests) {
                if (request.answeredAtMs < 0) {
                    continue;
                }
                List<String> list = replica.getValue().list(request.command.key());
                if (request.position >= list.size()
                        || !list.get(request.position).equals(request.command.element())) {
                    throw new SimFailure("durability", "node " + replica.getKey() + " lost acknowledged "
                            + request.command + " at position " + request.position + " (list has " + list.size()
                            + ")");
                }
            }
        }
        checkRealTimeOrder();
    }

    private void checkRealTimeOrder() {
        Map<String, List<Request>> byKey = new HashMap<>();
        for (Request request : requests) {
            if (request.answeredAtMs >= 0) {
                byKey.computeIfAbsent(request.command.key(), k -> new ArrayList<>()).add(request);
            }
        }
        for (List<Request> list : byKey.values()) {
            list.sort((a, b) -> Integer.compare(b.position, a.position));
            long earliestAnswerAbove = Long.MAX_VALUE;
            Request culprit = null;
            for (Request request : list) {
                if (earliestAnswerAbove < request.invokedAtMs) {
                    throw new SimFailure("linearizability", culprit.command + " was answered at "
                            + culprit.answeredAtMs + " before " + request.command + " was sent at "
                            + request.invokedAtMs + ", yet sits after it");
                }
                if (request.answeredAtMs < earliestAnswerAbove) {
                    earliestAnswerAbove = request.answeredAtMs;
                    culprit = request;
                }
            }
        }
    }

    long highestChosen() {
        return highestChosen;
    }

    int answered() {
        return (int) requests.stream().filter(r -> r.answeredAtMs >= 0).count();
    }

    int learnedSlots() {
        return learned.size();
    }
}
