package io.synod.core;

import io.synod.core.message.Envelope;
import io.synod.core.message.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A hand-driven cluster of {@link Node}s for protocol tests: the test decides which messages are delivered, dropped or
 * held, and when time passes. Each node's durable records are kept so it can be restarted from them. Everything is
 * synchronous and deterministic.
 */
final class TestCluster {
    final List<Integer> members = new ArrayList<>();
    final Map<Integer, Node> nodes = new HashMap<>();
    final Map<Integer, List<Durable>> disks = new HashMap<>();
    final Map<Integer, List<LogEntry>> applied = new HashMap<>();
    final Map<Integer, List<Ready.Rejection>> rejections = new HashMap<>();
    final Map<Integer, List<Ready.ReadIndexed>> readIndexes = new HashMap<>();
    final List<Envelope> inFlight = new ArrayList<>();
    final List<Envelope> sent = new ArrayList<>();
    private final UnaryOperator<NodeConfig.Builder> tune;
    private final Function<NodeConfig, Node.Parts> parts;
    long now = 1_000;

    TestCluster(int size) {
        this(size, b -> b);
    }

    TestCluster(int size, UnaryOperator<NodeConfig.Builder> tune) {
        this(size, tune, Node.Parts::production);
    }

    /** A cluster whose nodes are built with {@code parts} (a test election, say) instead of the production ones. */
    TestCluster(int size, UnaryOperator<NodeConfig.Builder> tune, Function<NodeConfig, Node.Parts> parts) {
        this.tune = tune;
        this.parts = parts;
        for (int id = 0; id < size; id++) {
            members.add(id);
        }
        for (int id : members) {
            disks.put(id, new ArrayList<>());
            applied.put(id, new ArrayList<>());
            rejections.put(id, new ArrayList<>());
            readIndexes.put(id, new ArrayList<>());
            start(id);
        }
    }

    /** (Re)starts a node from the records on its disk. */
    void start(int id) {
        DurableState state = DurableState.empty();
        for (Durable record : disks.get(id)) {
            state.replay(record);
        }
        NodeConfig config = tune.apply(NodeConfig.builder(id, members)).build();
        SplittableRandom random = new SplittableRandom(id * 7919L + disks.get(id).size());
        Node node = new Node(config, state, random.split(), parts.apply(config));
        nodes.put(id, node);
        applied.put(id, new ArrayList<>());
        step(id, Input.TICK);
    }

    /** Stops a node: its messages in flight stay in flight, its memory is gone, its disk stays. */
    void crash(int id) {
        nodes.remove(id);
    }

    Node node(int id) {
        return nodes.get(id);
    }

    void propose(int id, String payload) {
        step(id, new Input.Propose(payload.hashCode() * 31L + now, payload.getBytes()));
    }

    /** Proposes several commands in one batch of work, so they may share a slot. */
    void proposeAll(int id, String... payloads) {
        Node node = nodes.get(id);
        for (String payload : payloads) {
            node.step(now, new Input.Propose(payload.hashCode() * 31L + now, payload.getBytes()));
        }
        step(id, Input.TICK);
    }

    void tick(int id) {
        step(id, Input.TICK);
    }

    /** Moves time forward and ticks every running node. */
    void advanceTime(long ms) {
        now += ms;
        for (int id : members) {
            if (nodes.containsKey(id)) {
                step(id, Input.TICK);
            }
        }
    }

    /** Steps a node, then obeys its Readys; its own votes come back to it once their Ready's records are "durable". */
    void step(int id, Input input) {
        Node node = nodes.get(id);
        node.step(now, input);
        List<Envelope> ownVotes = new ArrayList<>();
        while (node.hasReady() || !ownVotes.isEmpty()) {
            if (!node.hasReady()) {
                node.step(now, new Input.Receive(ownVotes.remove(0)));
                continue;
            }
            Ready ready = node.ready();
            disks.get(id).addAll(ready.records());
            for (Envelope envelope : concat(ready.eagerMessages(), ready.messages())) {
                Invariants.check(envelope.from() == id && envelope.to() != id, "bad envelope %s", envelope);
                inFlight.add(envelope);
                sent.add(envelope);
            }
            for (Envelope vote : ready.ownVotes()) {
                Invariants.check(vote.from() == id && vote.to() == id, "bad own vote %s", vote);
                ownVotes.add(vote);
            }
            applied.get(id).addAll(ready.toApply());
            rejections.get(id).addAll(ready.rejected());
            readIndexes.get(id).addAll(ready.readIndexes());
            node.advance();
        }
    }

    private static List<Envelope> concat(List<Envelope> first, List<Envelope> second) {
        List<Envelope> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Delivers every message in flight that matches, in order; messages they cause stay in flight. */
    int deliver(Predicate<Envelope> which) {
        List<Envelope> batch = new ArrayList<>();
        for (Iterator<Envelope> it = inFlight.iterator(); it.hasNext(); ) {
            Envelope envelope = it.next();
            if (which.test(envelope)) {
                batch.add(envelope);
                it.remove();
            }
        }
        for (Envelope envelope : batch) {
            if (nodes.containsKey(envelope.to())) {
                step(envelope.to(), new Input.Receive(envelope));
            }
        }
        return batch.size();
    }

    /** Delivers messages until none is left in flight among running nodes (bounded). */
    void settle() {
        for (int round = 0; round < 1_000; round++) {
            inFlight.removeIf(envelope -> !nodes.containsKey(envelope.to()));
            if (deliver(e -> true) == 0) {
                return;
            }
        }
        throw new AssertionError("cluster did not settle");
    }

    /** Drops every message in flight that matches. */
    void drop(Predicate<Envelope> which) {
        inFlight.removeIf(which);
    }

    static Predicate<Envelope> to(int id) {
        return envelope -> envelope.to() == id;
    }

    static Predicate<Envelope> between(int a, int b) {
        return envelope -> (envelope.from() == a && envelope.to() == b) || (envelope.from() == b && envelope.to() == a);
    }

    static Predicate<Envelope> ofType(Class<? extends Message> type) {
        return envelope -> type.isInstance(envelope.message());
    }

    /** The client payloads this node applied, in order, as strings (no-ops and election commands skipped). */
    List<String> appliedPayloads(int id) {
        List<String> payloads = new ArrayList<>();
        for (LogEntry entry : applied.get(id)) {
            for (Command command : entry.value().commands()) {
                if (!command.isClient()) {
                    continue; // the Ready contract: election commands are not the state machine's
                }
                payloads.add(new String(command.payload()));
            }
        }
        return payloads;
    }

    @SuppressWarnings("unchecked")
    <T extends Message> List<T> sentOfType(Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Envelope envelope : sent) {
            if (type.isInstance(envelope.message())) {
                found.add((T) envelope.message());
            }
        }
        return found;
    }
}
