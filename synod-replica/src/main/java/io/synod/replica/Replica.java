package io.synod.replica;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.Input;
import io.synod.core.Invariants;
import io.synod.core.LogEntry;
import io.synod.core.Node;
import io.synod.core.NodeStatus;
import io.synod.core.PlantedBug;
import io.synod.core.Ready;
import io.synod.core.StateMachine;
import io.synod.core.message.Envelope;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The one loop that obeys the core. Every input goes through the same order:
 * <pre>
 *   input -> Node.step -> persist (sync when asked) -> send -> apply -> answer -> Node.advance
 * </pre>
 * The server and the simulator both run this class, so the simulator tests the production loop.
 *
 * <p>Group commit: a Ready's records are appended at once, but its messages, applied values and answers are held until
 * those records — and every earlier Ready's — are durable. While a sync runs elsewhere the loop keeps stepping the
 * node; the next Ready's records go into the next sync, and held outputs are released in order when
 * {@link #synced} reports completion.
 *
 * <p>Contract: single-threaded; one thread owns the replica and calls every method. Times never go backwards. No
 * method blocks except for what {@link Storage#append} may do. An {@link io.synod.core.InvariantViolation} from any
 * method means the node must stop.
 */
public final class Replica {
    private record Held(long ticket, List<Envelope> messages, List<LogEntry> toApply, List<Ready.Rejection> rejected) {}

    private final Node node;
    private final Storage storage;
    private final Transport transport;
    private final StateMachine stateMachine;
    private final RandomGenerator random;
    private final int self;
    private final boolean sendBeforePersist;

    private final Map<Long, Consumer<Outcome>> waiting = new HashMap<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long requestedTicket;
    private long syncedTicket;
    private long appliedSlot;
    private long wakeAtMs = Long.MIN_VALUE;
    private long nowMs = Long.MIN_VALUE;
    private boolean holding;

    /**
     * @param node the protocol core, built from {@code storage.recover()}
     * @param storage where records go
     * @param transport where messages go
     * @param stateMachine what chosen commands are applied to; fresh (empty) at construction
     * @param random source of request ids
     */
    public Replica(Node node, Storage storage, Transport transport, StateMachine stateMachine, RandomGenerator random) {
        this.node = node;
        this.storage = storage;
        this.transport = transport;
        this.stateMachine = stateMachine;
        this.random = random;
        this.self = node.config().nodeId();
        this.sendBeforePersist = node.config().hasBug(PlantedBug.SEND_BEFORE_PERSIST);
    }

    /** Hands a message from a peer to the node. */
    public void receive(long nowMs, Envelope envelope) {
        step(nowMs, new Input.Receive(envelope));
    }

    /** Lets the node run its timers; call at or after {@link #wakeAtMs()}. */
    public void tick(long nowMs) {
        step(nowMs, Input.TICK);
    }

    /**
     * Proposes a command. {@code callback} is called exactly once, on this thread, with the outcome — unless the node
     * stops first. A command still waiting when the node stops may yet be chosen: its fate is unknown.
     */
    public void propose(long nowMs, byte[] payload, Consumer<Outcome> callback) {
        long requestId;
        do {
            requestId = random.nextLong();
        } while (waiting.containsKey(requestId));
        waiting.put(requestId, callback);
        step(nowMs, new Input.Propose(requestId, payload));
    }

    /** Reports that the storage finished the sync with this ticket (and every earlier one). */
    public void synced(long nowMs, long ticket) {
        Invariants.check(ticket <= requestedTicket, "sync %d completed but only %d requested", ticket, requestedTicket);
        this.nowMs = Math.max(this.nowMs, nowMs);
        syncedTicket = Math.max(syncedTicket, ticket);
        release();
    }

    /**
     * Defers the work of the following inputs until {@link #flush()}: they are stepped into the node one by one, then
     * obeyed as one Ready. An event loop that takes many inputs at once uses this, so commands that arrived together
     * share a slot and records that arrived together share a sync.
     */
    public void hold() {
        holding = true;
    }

    /** Obeys all the work gathered since {@link #hold()}. */
    public void flush() {
        holding = false;
        drain();
    }

    private void step(long nowMs, Input input) {
        this.nowMs = nowMs;
        node.step(nowMs, input);
        if (!holding) {
            drain();
        }
    }

    /** Obeys Readys until the node has nothing more to do. */
    private void drain() {
        // Each round sends at most a window of slots, so the loop ends; the bound only guards against a core bug.
        for (int round = 0; node.hasReady(); round++) {
            Invariants.check(round < 1_000_000, "node %d keeps producing work without input", self);
            Ready ready = node.ready();
            obey(ready);
            node.advance();
        }
        wakeAtMs = node.wakeAtMs();
    }

    private void obey(Ready ready) {
        if (!ready.records().isEmpty()) {
            storage.append(ready.records());
        }
        if (ready.mustSync()) {
            persistSynced();
        }
        // The planted bug lets outputs out at once, while the sync they depend on is still running.
        long needed = sendBeforePersist ? syncedTicket : requestedTicket;
        held.addLast(new Held(needed, ready.messages(), ready.toApply(), ready.rejected()));
        release();
    }

    private void persistSynced() {
        long ticket = ++requestedTicket;
        if (storage.sync(ticket)) {
            syncedTicket = ticket;
        }
    }

    /** Lets out, in order, every held output whose records are durable. */
    private void release() {
        while (!held.isEmpty() && held.peekFirst().ticket() <= syncedTicket) {
            Held next = held.pollFirst();
            for (Envelope envelope : next.messages()) {
                transport.send(envelope);
            }
            for (LogEntry entry : next.toApply()) {
                apply(entry);
            }
            for (Ready.Rejection rejection : next.rejected()) {
                Consumer<Outcome> callback = waiting.remove(rejection.requestId());
                if (callback != null) {
                    callback.accept(new Outcome.Rejected(rejection.reason()));
                }
            }
        }
    }

    private void apply(LogEntry entry) {
        Invariants.check(entry.slot() == appliedSlot, "replica %d applying slot %d, expected %d",
                self, entry.slot(), appliedSlot);
        for (Command command : entry.value().commands()) {
            byte[] result = stateMachine.apply(entry.slot(), command.payload());
            if (command.origin() == self) {
                Consumer<Outcome> callback = waiting.remove(command.requestId());
                if (callback != null) {
                    callback.accept(new Outcome.Applied(entry.slot(), result));
                }
            }
        }
        appliedSlot++;
    }

    /** When the node next needs {@link #tick}. */
    public long wakeAtMs() {
        return wakeAtMs;
    }

    /** Every slot below this one has been applied to the state machine. */
    public long appliedSlot() {
        return appliedSlot;
    }

    /** Proposals made here that have not been answered yet. */
    public int waitingCount() {
        return waiting.size();
    }

    /** Whether outputs are held waiting for a sync. */
    public boolean hasHeldOutputs() {
        return !held.isEmpty();
    }

    public NodeStatus status() {
        return node.status();
    }

    public Node node() {
        return node;
    }
}
