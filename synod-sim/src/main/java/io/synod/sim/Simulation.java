package io.synod.sim;

import io.synod.core.Role;
import io.synod.core.InvariantViolation;
import io.synod.core.Node;
import io.synod.core.message.Accept;
import io.synod.core.message.Accepted;
import io.synod.core.message.CatchUpReply;
import io.synod.core.message.CatchUpRequest;
import io.synod.core.message.Commit;
import io.synod.core.message.Confirm;
import io.synod.core.message.Confirmed;
import io.synod.core.message.ElectionMessage;
import io.synod.core.message.Envelope;
import io.synod.core.message.Message;
import io.synod.core.message.Nack;
import io.synod.core.message.Prepare;
import io.synod.core.message.Promise;
import io.synod.core.message.SnapshotChunk;
import io.synod.core.message.SnapshotRequest;
import io.synod.core.paxos.Proposer;
import io.synod.kv.Entry;
import io.synod.replica.Replica;
import io.synod.sim.history.Answer;
import io.synod.sim.history.Condition;
import io.synod.sim.history.LinearizabilityChecker;
import io.synod.sim.history.Operation;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.SplittableRandom;

/**
 * One deterministic run: real {@link Replica}s, {@link Node}s and state machines on a simulated network, clock and disk,
 * all driven by one seed. The seed picks the {@link Scenario}; one root {@link SplittableRandom} is split per component
 * (network, faults, each node, each client) so that adding a component does not disturb the others.
 *
 * <p>A run has two phases. In the <b>safety phase</b> clients write while the network loses, duplicates and delays
 * messages, partitions come and go, nodes crash (losing what they had not synced) and restart, and clocks drift; the
 * {@link Checkers} run after every event. The <b>liveness phase</b> heals everything and stops the faults; within a
 * bounded simulated time every replica must have applied the same slots and every client must have its answer.
 */
public final class Simulation {
    /** What to run. {@code maxSteps} bounds the events of the safety phase. */
    public record Options(long seed, Set<Scenario.Fault> faults, long maxSteps, Seams seams, PrintStream trace,
            UnaryOperator<Scenario> tune) {
        public Options(long seed, Set<Scenario.Fault> faults, long maxSteps, Seams seams, PrintStream trace) {
            this(seed, faults, maxSteps, seams, trace, UnaryOperator.identity());
        }

        public static Options of(long seed) {
            return new Options(seed, Set.of(Scenario.Fault.values()), Long.MAX_VALUE, Seams.REAL, null);
        }

        /** Changes the scenario the seed picks (one election, harsher faults), for tests aimed at one mode. */
        public Options withScenario(UnaryOperator<Scenario> change) {
            return new Options(seed, faults, maxSteps, seams, trace, change);
        }

        /** Swaps parts of every node (a store decorator, a read strategy), for planted-bug tests. */
        public Options withSeams(Seams replaced) {
            return new Options(seed, faults, maxSteps, replaced, trace, tune);
        }

        public Options withMaxSteps(long steps) {
            return new Options(seed, faults, steps, seams, trace, tune);
        }

        /** Prints every event to {@code out} as it runs (for reading one seed's story). */
        public Options withTrace(PrintStream out) {
            return new Options(seed, faults, maxSteps, seams, out, tune);
        }
    }

    /**
     * How a run ended. {@code checker} and {@code message} are null when it passed. {@code operations} is the size of
     * the client history, and {@code checkNanos} the time (ns) the linearizability checker took over it.
     */
    public record Result(long seed, Scenario scenario, String checker, String message, List<String> lastEvents,
            long traceHash, long events, long simulatedMs, long slots, int answered, int operations, long checkNanos) {
        public boolean passed() {
            return checker == null;
        }
    }

    enum Kind { DELIVER, WAKE, SYNC, SNAPSHOT, PROPOSE, ANSWER, TIMEOUT, CHAOS, RESTART, HEAL, NOTE }

    private static final class Event {
        final long time;
        final long order;
        final Kind kind;
        final int target;
        final String detail;
        final Runnable action;

        Event(long time, long order, Kind kind, int target, String detail, Runnable action) {
            this.time = time;
            this.order = order;
            this.kind = kind;
            this.target = target;
            this.detail = detail;
            this.action = action;
        }

        String describe() {
            return "t=" + time + " " + kind + " " + target + (detail.isEmpty() ? "" : " " + detail);
        }
    }

    private static final int LAST_EVENTS = 40;
    private static final long LIVENESS_BUDGET_MS = 60_000;

    final Options options;
    final Scenario scenario;
    final Checkers checkers;
    private final SplittableRandom network;
    private final SplittableRandom chaos;
    private final SimNode[] nodes;
    private final SimClient[] clients;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.order, b.order));
    private final ArrayDeque<Event> lastEvents = new ArrayDeque<>();
    private final boolean[][] blocked;
    private final List<Operation> history = new ArrayList<>();
    private long now;
    private long order;
    private long events;
    private long traceHash = 0xcbf29ce484222325L;
    private boolean healed;
    private long checkNanos;
    private double lossRate;
    private double duplicateRate;

    public Simulation(Options options) {
        this.options = options;
        SplittableRandom root = new SplittableRandom(options.seed());
        this.scenario = options.tune().apply(Scenario.choose(root.split(), options.faults()));
        this.network = root.split();
        this.chaos = root.split();
        this.checkers = new Checkers(scenario.nodes());
        this.lossRate = scenario.lossRate();
        this.duplicateRate = scenario.duplicateRate();
        this.blocked = new boolean[scenario.nodes()][scenario.nodes()];
        List<Integer> members = new ArrayList<>();
        for (int id = 0; id < scenario.nodes(); id++) {
            members.add(id);
        }
        this.nodes = new SimNode[scenario.nodes()];
        for (int id = 0; id < nodes.length; id++) {
            SplittableRandom random = root.split();
            long drift = scenario.driftPpmMax() == 0 ? 0
                    : random.nextLong(-scenario.driftPpmMax(), scenario.driftPpmMax() + 1);
            long offset = random.nextLong(0, 1_000_000);
            // With drift on, clocks also jump forward: a quarter of the allowed drift, once a lease, so that with the
            // rate error they stay within the bound the lease assumes.
            long jumpEvery = scenario.driftPpmMax() == 0 ? 0 : scenario.leaseMs();
            long jump = scenario.maxDriftMs() / 4;
            long phase = jumpEvery == 0 ? 0 : random.nextLong(0, jumpEvery);
            nodes[id] = new SimNode(this, id, members, new SimClock(offset, drift, jumpEvery, jump, phase), random);
        }
        this.clients = new SimClient[scenario.clients()];
        for (int id = 0; id < clients.length; id++) {
            clients[id] = new SimClient(this, id, root.split());
        }
    }

    public Scenario scenario() {
        return scenario;
    }

    /** Runs both phases and the final checks. Never throws for a protocol failure: it is in the result. */
    public Result run() {
        try {
            for (SimNode node : nodes) {
                node.start();
            }
            for (SimClient client : clients) {
                client.next();
            }
            scheduleChaos();
            runSafetyPhase();
            heal();
            runLivenessPhase();
            readEveryKeyEverywhere();
            checkHistory();
            return result(null, null);
        } catch (SimFailure failure) {
            return result(failure.checker(), failure.getMessage());
        } catch (InvariantViolation violation) {
            return result("invariant", violation.getMessage());
        } catch (RuntimeException crash) {
            return result("exception", crash.toString());
        }
    }

    private Result result(String checker, String message) {
        List<String> last = new ArrayList<>();
        for (Event event : lastEvents) {
            last.add(event.describe());
        }
        long slots = 0;
        for (SimNode node : nodes) {
            if (node.replica != null) {
                slots = Math.max(slots, node.replica.appliedSlot());
            }
        }
        int answered = 0;
        for (SimClient client : clients) {
            answered += client.answered();
        }
        return new Result(options.seed(), scenario, checker, message, last, traceHash, events, now, slots, answered,
                history.size(), checkNanos);
    }

    /**
     * Once every replica has converged, reads every key the clients used on every live node, as operations of the
     * history: an acknowledged write that was lost, or a replica that differs, shows up there.
     */
    private void readEveryKeyEverywhere() {
        java.util.TreeSet<String> keys = new java.util.TreeSet<>();
        for (Operation operation : history) {
            keys.add(operation.key());
        }
        for (SimNode node : nodes) {
            if (node.dead) {
                continue;
            }
            for (String key : keys) {
                Optional<Entry> entry = node.store.get(key.getBytes(StandardCharsets.UTF_8));
                Answer answer = entry.<Answer>map(e -> new Answer.ReadValue(
                        new String(e.value(), StandardCharsets.UTF_8), e.version())).orElseGet(Answer.ReadAbsent::new);
                record(new Operation(nextOperationId(), 1_000 + node.id, Operation.Kind.READ, key, null,
                        new Condition.None(), Operation.LINEARIZABLE, now, now, answer));
            }
        }
    }

    /** The whole client history must be linearizable (stale reads: the weaker rule). */
    private void checkHistory() {
        long started = System.nanoTime();
        LinearizabilityChecker.Result verdict = new LinearizabilityChecker().check(history);
        checkNanos = System.nanoTime() - started;
        if (!verdict.linearizable()) {
            throw new SimFailure("linearizability", verdict.report());
        }
    }

    private void runSafetyPhase() {
        long steps = 0;
        while (!queue.isEmpty() && queue.peek().time < scenario.safetyMs() && steps++ < options.maxSteps()) {
            runNext();
        }
    }

    private void runLivenessPhase() {
        long deadline = now + LIVENESS_BUDGET_MS;
        while (!converged()) {
            if (queue.isEmpty() || queue.peek().time > deadline) {
                throw new SimFailure("liveness", livenessReport());
            }
            runNext();
        }
    }

    private void runNext() {
        Event event = queue.poll();
        now = event.time;
        events++;
        traceHash = (traceHash ^ (event.time * 31 + event.kind.ordinal() * 7L + event.target)) * 0x100000001B3L;
        traceHash = (traceHash ^ event.detail.hashCode()) * 0x100000001B3L;
        lastEvents.addLast(event);
        if (lastEvents.size() > LAST_EVENTS) {
            lastEvents.removeFirst();
        }
        if (options.trace() != null) {
            options.trace().println(event.describe());
        }
        event.action.run();
        int readingLocally = -1;
        for (SimNode node : nodes) {
            if (node.replica != null) {
                checkers.onReplicaState(node.id, node.replica.appliedSlot(), node.store.digest());
                if (scenario.election().equals("log")) {
                    long slot = node.replica.status().handedOut();
                    java.nio.ByteBuffer state = java.nio.ByteBuffer.wrap(node.replica.node().electionStateAt(slot));
                    checkers.onLogElectionState(node.id, slot, state.getLong(), state.getInt());
                }
                if (node.mastership().mayReadLocally(node.local())) {
                    if (readingLocally >= 0) {
                        throw new SimFailure("lease-safety", "nodes " + readingLocally + " and " + node.id
                                + " both hold the lease at " + now + " ms: node " + readingLocally
                                + " until its local " + nodes[readingLocally].mastership().localReadsUntilMs()
                                + " (now " + nodes[readingLocally].local() + "), node " + node.id + " until "
                                + node.mastership().localReadsUntilMs() + " (now " + node.local() + ")");
                    }
                    readingLocally = node.id;
                }
            }
        }
    }

    void schedule(long time, Kind kind, int target, String detail, Runnable action) {
        queue.add(new Event(Math.max(time, now), order++, kind, target, detail, action));
    }

    /** Global simulated time. */
    long now() {
        return now;
    }

    /** Puts a line in the trace about something that happened inside a step (it runs as its own no-op event). */
    void note(int node, String text) {
        schedule(now, Kind.NOTE, node, text, () -> { });
    }

    // ----- convergence -----

    private boolean converged() {
        for (SimClient client : clients) {
            if (client.isWaiting()) {
                return false;
            }
        }
        long committed = 0;
        for (SimNode node : nodes) {
            if (node.dead) {
                continue;
            }
            if (!node.isUp()) {
                return false;
            }
            committed = Math.max(committed, node.replica.status().committed());
        }
        if (committed <= checkers.highestChosen()) {
            return false;
        }
        for (SimNode node : nodes) {
            if (!node.dead && (node.replica.appliedSlot() != committed || node.replica.hasHeldOutputs())) {
                return false;
            }
        }
        return true;
    }

    private String livenessReport() {
        StringBuilder report = new StringBuilder("no convergence within " + LIVENESS_BUDGET_MS + "ms of healing:");
        for (SimNode node : nodes) {
            report.append(" [node ").append(node.id).append(' ');
            if (node.dead) {
                report.append("dead: ").append(node.deathReason);
            } else if (!node.isUp()) {
                report.append("down");
            } else {
                report.append(node.replica.status()).append(" appliedSM=").append(node.replica.appliedSlot());
            }
            report.append(']');
        }
        int waiting = 0;
        for (SimClient client : clients) {
            waiting += client.isWaiting() ? 1 : 0;
        }
        return report.append(" clients waiting=").append(waiting)
                .append(" highestChosen=").append(checkers.highestChosen()).toString();
    }

    // ----- faults -----

    private void scheduleChaos() {
        double rate = scenario.crashRate() + scenario.partitionRate() + scenario.diskFaultRate();
        if (rate <= 0) {
            return;
        }
        long gap = (long) Math.ceil(-Math.log(1 - chaos.nextDouble()) / rate * 1_000);
        schedule(now + gap, Kind.CHAOS, -1, "", this::chaos);
    }

    private void chaos() {
        if (healed) {
            return;
        }
        double pick = chaos.nextDouble() * (scenario.crashRate() + scenario.partitionRate() + scenario.diskFaultRate());
        SimNode victim = nodes[chaos.nextInt(nodes.length)];
        if (pick < scenario.crashRate()) {
            if (victim.isUp()) {
                if (chaos.nextInt(4) == 0) {
                    note(victim.id, "clean stop (a planned restart)");
                    victim.stopCleanly();
                } else {
                    note(victim.id, "crash");
                    victim.crash();
                }
                schedule(now + 50 + chaos.nextInt(3_000), Kind.RESTART, victim.id, "", victim::start);
            }
        } else if (pick < scenario.crashRate() + scenario.partitionRate()) {
            partition();
        } else {
            diskFault(victim);
        }
        scheduleChaos();
    }

    /** One disk fault on {@code victim}: a failed fsync, a full disk, or (within the fault model) bit rot. */
    private void diskFault(SimNode victim) {
        if (!victim.isUp()) {
            return;
        }
        switch (chaos.nextInt(3)) {
            case 0 -> {
                note(victim.id, "next fsync fails");
                victim.disk.failNextForce();
            }
            case 1 -> {
                note(victim.id, "disk fills up");
                victim.disk.fill(chaos.nextInt(4_096));
                schedule(now + 200 + chaos.nextInt(3_000), Kind.HEAL, victim.id, "disk space returns",
                        victim.disk::freeSpace);
            }
            default -> {
                if (victim.id < scenario.corruptibleNodes() && BitRot.flipDurableByte(victim.disk, chaos)) {
                    note(victim.id, "bit rot in a durable log record; crash");
                    victim.crash();
                    schedule(now + 50 + chaos.nextInt(1_000), Kind.RESTART, victim.id, "", victim::start);
                }
            }
        }
    }

    private void partition() {
        clearPartition();
        int n = nodes.length;
        switch (chaos.nextInt(4)) {
            case 0 -> isolate(chaos.nextInt(n), true, true);
            case 1 -> {
                boolean outgoing = chaos.nextBoolean();
                isolate(chaos.nextInt(n), outgoing, !outgoing);
            }
            case 2 -> {
                int leader = currentLeader();
                isolate(leader >= 0 ? leader : chaos.nextInt(n), true, true);
            }
            default -> {
                boolean[] side = new boolean[n];
                for (int i = 0; i < n; i++) {
                    side[i] = chaos.nextBoolean();
                }
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < n; b++) {
                        blocked[a][b] = side[a] != side[b];
                    }
                }
            }
        }
        schedule(now + 200 + chaos.nextInt(3_000), Kind.HEAL, -1, "partition", this::clearPartition);
    }

    /** Cuts {@code node} off: its outgoing links if {@code out}, its incoming ones if {@code in}. */
    private void isolate(int node, boolean out, boolean in) {
        for (int other = 0; other < nodes.length; other++) {
            if (other != node) {
                blocked[node][other] |= out;
                blocked[other][node] |= in;
            }
        }
    }

    private int currentLeader() {
        for (SimNode node : nodes) {
            if (node.isUp() && node.replica.status().role() == Role.LEADER) {
                return node.id;
            }
        }
        return -1;
    }

    private void clearPartition() {
        for (boolean[] row : blocked) {
            Arrays.fill(row, false);
        }
    }

    private void heal() {
        healed = true;
        clearPartition();
        lossRate = 0;
        duplicateRate = 0;
        for (SimNode node : nodes) {
            node.disk.freeSpace();
            node.start();
        }
    }

    // ----- network -----

    void send(Envelope envelope) {
        if (blocked[envelope.from()][envelope.to()] || network.nextDouble() < lossRate) {
            return;
        }
        deliverLater(envelope);
        if (network.nextDouble() < duplicateRate) {
            deliverLater(envelope);
        }
    }

    private void deliverLater(Envelope envelope) {
        long delay = scenario.minDelayMs() + network.nextInt(scenario.maxDelayMs() - scenario.minDelayMs() + 1);
        if (network.nextDouble() < scenario.tailRate()) {
            delay += network.nextInt(10 * scenario.maxDelayMs() + 1);
        }
        SimNode target = nodes[envelope.to()];
        schedule(now + delay, Kind.DELIVER, envelope.to(), describe(envelope), () -> target.deliver(envelope));
    }

    private static String describe(Envelope envelope) {
        Message message = envelope.message();
        String what = switch (message) {
            case Prepare p -> "Prepare " + p.ballot() + " from " + p.fromSlot();
            case Promise p -> "Promise " + p.ballot() + " committed " + p.committed() + " slots " + p.slots().size();
            case Accept a -> "Accept " + a.ballot() + " slot " + a.slot() + " chosenBelow " + a.chosenBelow()
                    + " cmds " + a.value().commands().size();
            case Accepted a -> "Accepted " + a.ballot() + " slot " + a.slot();
            case Nack n -> "Nack " + n.rejected() + " by " + n.promised();
            case Commit c -> "Commit " + c.ballot() + " chosenBelow " + c.chosenBelow() + " committed "
                    + c.committed();
            case CatchUpRequest r -> "CatchUpRequest from " + r.fromSlot();
            case CatchUpReply r -> "CatchUpReply committed " + r.committed() + " entries " + r.entries().size()
                    + (r.snapshotSlot() >= 0 ? " snapshot " + r.snapshotSlot() : "");
            case SnapshotRequest r -> "SnapshotRequest slot " + r.snapshotSlot() + " offset " + r.offset();
            case SnapshotChunk c -> "SnapshotChunk slot " + c.snapshotSlot() + " offset " + c.offset() + " of "
                    + c.totalBytes() + " len " + c.data().length;
            case Confirm c -> "Confirm " + c.ballot() + " round " + c.round();
            case Confirmed c -> "Confirmed " + c.ballot() + " round " + c.round();
            case ElectionMessage e -> e.toString();
        };
        return envelope.from() + "->" + envelope.to() + " " + what;
    }

    // ----- scripted runs (SimulatedCluster): no chaos, no clients, a script drives the nodes -----

    /**
     * Runs the events due by global time {@code time} in order, stopping early (at that event's time) once
     * {@code done} holds after an event; otherwise moves the clock to {@code time}. Returns whether {@code done} held.
     * A checker's violation is thrown as {@link SimFailure}.
     */
    boolean runUntil(long time, java.util.function.BooleanSupplier done) {
        while (!queue.isEmpty() && queue.peek().time <= time) {
            runNext();
            if (done.getAsBoolean()) {
                return true;
            }
        }
        now = Math.max(now, time);
        return done.getAsBoolean();
    }

    /** Cuts node {@code id} off from every other node, both ways, until {@link #healPartitions}. */
    void isolateNode(int id) {
        isolate(id, true, true);
    }

    /** Lifts every partition. */
    void healPartitions() {
        clearPartition();
    }

    /** The client history so far (for a script's own linearizability check). */
    List<Operation> history() {
        return history;
    }

    /** The last events run, oldest first, for a failure report. */
    List<String> lastEvents() {
        List<String> last = new ArrayList<>();
        for (Event event : lastEvents) {
            last.add(event.describe());
        }
        return last;
    }

    // ----- what clients and nodes ask of the world -----

    SimNode node(int id) {
        return nodes[id];
    }

    int nodeCount() {
        return nodes.length;
    }

    /** Whether the safety phase is over (clients start nothing new). */
    boolean healed() {
        return healed;
    }

    /** Adds a finished client operation to the history. */
    void record(Operation operation) {
        history.add(operation);
    }

    int nextOperationId() {
        return history.size();
    }

    /**
     * Whether {@code id}, with the peers it has working links to both ways that are up, is a majority: what a real
     * node learns from its connections, here known at once.
     */
    /** Whether {@code a} and {@code b} are both up with working links both ways. */
    boolean linked(int a, int b) {
        return nodes[a].isUp() && nodes[b].isUp() && !blocked[a][b] && !blocked[b][a];
    }

    boolean majorityReachableFrom(int id) {
        int reachable = 1;
        for (SimNode other : nodes) {
            if (other.id != id && other.isUp() && !blocked[id][other.id] && !blocked[other.id][id]) {
                reachable++;
            }
        }
        return reachable > nodes.length / 2;
    }
}
