package io.synod.replica;

import io.synod.core.Command;
import io.synod.core.Input;
import io.synod.core.Invariants;
import io.synod.core.LogEntry;
import io.synod.core.Node;
import io.synod.core.NodeStatus;
import io.synod.core.Ready;
import io.synod.core.StateMachine;
import io.synod.core.message.Envelope;
import io.synod.core.message.SnapshotChunk;
import io.synod.storage.Storage;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The one loop that obeys the core. Every input goes through the same order:
 * <pre>
 *   input -> Node.step -> persist (sync when asked) -> send eager messages -> [once durable] send, own votes back
 *   to the node, apply, answer -> Node.advance
 * </pre>
 * The server and the simulator both run this class, so the simulator tests the production loop.
 *
 * <p>Group commit: a Ready's records are appended at once and its eager messages (a leader's Accepts and Commits,
 * election messages) leave at once, so the peers make a value durable while this node does; its other messages, its
 * own votes, applied values and answers are held until those records — and every earlier Ready's — are durable. While
 * a sync runs elsewhere the loop keeps stepping the node; the next Ready's records go into the next sync, and held
 * outputs are released in order when {@link #synced} reports completion.
 *
 * <p>Snapshots: when its {@link SnapshotPolicy} says one is due (the log applied since the last snapshot has grown past
 * a fraction of that snapshot's size, or a slot bound is reached), the loop captures the state machine — a
 * point-in-time view, in constant time — and has the storage write it, streamed, possibly on another thread; once it
 * is durable the node serves it to peers that are far behind, and records and chosen values more than
 * {@code retainSlots} below it are compacted away. While a peer is fetching the snapshot, the next one waits (up to
 * {@link #SERVING_DEFER_FACTOR} times the policy's thresholds), so the transfer need not start over. A snapshot
 * received from a peer is written chunk by chunk, verified, and installed in place of the state machine's state.
 *
 * <p>Contract: single-threaded; one thread owns the replica and calls every method. Times never go backwards. A
 * proposal callback may propose again, on the same thread, from inside the callback: that input is queued and
 * stepped once the Ready being obeyed is done. No
 * method blocks except for what the storage does. An {@link io.synod.core.InvariantViolation} or a
 * {@link io.synod.storage.StorageFailure} from any method means the node must stop.
 */
public final class Replica {
    /**
     * The replica's own settings.
     *
     * @param snapshots when to take a snapshot
     * @param retainSlots keep this many slots of records and chosen values below the newest snapshot, so a peer a
     *     little behind catches up from the log rather than with the whole snapshot; not negative
     */
    public record Options(SnapshotPolicy snapshots, long retainSlots) {
        public static final Options NO_SNAPSHOTS = new Options(SnapshotPolicy.NEVER, 0);

        public Options {
            if (snapshots == null || retainSlots < 0) {
                throw new IllegalArgumentException("replica options need a snapshot policy and retainSlots >= 0");
            }
        }
    }

    private record Held(long ticket, Ready ready) {}

    /** A snapshot being fetched by a peer defers the next one by at most this many intervals. */
    static final int SERVING_DEFER_FACTOR = 20;

    private final Node node;
    private final Storage storage;
    private final Transport transport;
    private final StateMachine stateMachine;
    private final RandomGenerator random;
    private final Options options;
    private final int self;

    private final Map<Long, Consumer<Outcome>> waiting = new HashMap<>();
    private final Map<Long, Consumer<ReadOutcome>> reading = new HashMap<>();
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final ArrayDeque<Input> internal = new ArrayDeque<>();
    private long requestedTicket;
    private long syncedTicket;
    private long appliedSlot;
    private long snapshotSlot;
    private boolean snapshotInProgress;
    /** The size of the newest snapshot, own or installed (0 if none). */
    private long snapshotBytes;
    /** Log bytes counted over every slot applied (see {@link SnapshotPolicy}), and their count when the newest
     * snapshot was captured, and when the one being written was. */
    private long loggedBytes;
    private long loggedBytesAtSnapshot;
    private long loggedBytesAtCapture;
    private long wakeAtMs = Long.MIN_VALUE;
    /** When this node last sent a chunk of its snapshot to a peer. */
    private long servedChunkAtMs = Long.MIN_VALUE / 2;
    private long nowMs = Long.MIN_VALUE;
    private boolean holding;
    private boolean draining;

    /**
     * @param node the protocol core, built from {@code storage.recover()}
     * @param storage where records and snapshots go
     * @param transport where messages go
     * @param stateMachine what chosen commands are applied to; empty at construction, restored here from the
     *     storage's snapshot if recovery started from one
     * @param random source of request ids
     */
    public Replica(Node node, Storage storage, Transport transport, StateMachine stateMachine, RandomGenerator random,
            Options options) {
        this.node = node;
        this.storage = storage;
        this.transport = transport;
        this.stateMachine = stateMachine;
        this.random = random;
        this.options = options;
        this.self = node.config().nodeId();
        long recoveredSnapshot = node.status().handedOut();
        if (recoveredSnapshot > 0) {
            long[] read = {0};
            StateMachine.SnapshotSource source = storage.openSnapshot(recoveredSnapshot);
            node.restoreElection(recoveredSnapshot, SnapshotEnvelope.restore(stateMachine, (buffer, offset, length) -> {
                int n = source.read(buffer, offset, length);
                read[0] += Math.max(n, 0);
                return n;
            }));
            appliedSlot = recoveredSnapshot;
            snapshotSlot = recoveredSnapshot;
            snapshotBytes = read[0];
        }
    }

    public Replica(Node node, Storage storage, Transport transport, StateMachine stateMachine, RandomGenerator random) {
        this(node, storage, transport, stateMachine, random, Options.NO_SNAPSHOTS);
    }

    /** Hands a message from a peer to the node. */
    public void receive(long nowMs, Envelope envelope) {
        step(nowMs, new Input.Receive(envelope));
    }

    /**
     * The node is about to stop cleanly: its election gives up what it holds (a master releases its lease). Messages
     * this produces go out before this returns, once what they depend on is durable.
     */
    public void release(long nowMs) {
        step(nowMs, new Input.Release());
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

    /**
     * Orders a read (ReadIndex). {@code callback} is called exactly once, on this thread, with the outcome — unless the
     * node stops first, when it gets {@link ReadOutcome.Lost}.
     */
    public void readIndex(long nowMs, Consumer<ReadOutcome> callback) {
        long requestId;
        do {
            requestId = random.nextLong();
        } while (waiting.containsKey(requestId) || reading.containsKey(requestId));
        reading.put(requestId, callback);
        step(nowMs, new Input.ReadIndex(requestId));
    }

    /** Reports that the storage finished the sync with this ticket (and every earlier one). */
    public void synced(long nowMs, long ticket) {
        Invariants.check(ticket <= requestedTicket, "sync %d completed but only %d requested", ticket, requestedTicket);
        this.nowMs = Math.max(this.nowMs, nowMs);
        syncedTicket = Math.max(syncedTicket, ticket);
        release();
        drain();
    }

    /** Reports that the storage finished writing the snapshot at {@code slot}, {@code bytes} long. */
    public void snapshotSaved(long nowMs, long slot, long bytes) {
        this.nowMs = Math.max(this.nowMs, nowMs);
        snapshotDurable(slot, bytes);
        drain();
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
        this.nowMs = Math.max(this.nowMs, nowMs);
        if (draining) {
            // A callback of this replica (an answer) proposed again: the node is between ready() and advance(), so
            // the input waits its turn in the drain loop.
            internal.addLast(input);
            return;
        }
        node.step(this.nowMs, input);
        if (!holding) {
            drain();
        }
    }

    /** Obeys Readys, and steps the loop's own inputs, until the node has nothing more to do. */
    private void drain() {
        if (draining) {
            return; // a callback during the drain asked for one: the drain under way does it
        }
        draining = true;
        try {
            drainRounds();
        } finally {
            draining = false;
        }
        wakeAtMs = node.wakeAtMs();
    }

    private void drainRounds() {
        // Each round sends at most a window of slots, so the loop ends; the bound only guards against a core bug.
        for (int round = 0; ; round++) {
            Invariants.check(round < 1_000_000, "node %d keeps producing work without input", self);
            if (node.hasReady()) {
                Ready ready = node.ready();
                obey(ready);
                node.advance();
            } else if (!internal.isEmpty()) {
                node.step(Math.max(nowMs, 0), internal.pollFirst());
            } else {
                break;
            }
        }
    }

    private void obey(Ready ready) {
        if (!ready.records().isEmpty()) {
            storage.append(ready.records());
        }
        if (ready.mustSync()) {
            long ticket = ++requestedTicket;
            if (storage.sync(ticket)) {
                syncedTicket = ticket;
            }
        }
        for (Envelope envelope : ready.eagerMessages()) {
            transport.send(envelope);
        }
        held.addLast(new Held(requestedTicket, ready));
        release();
    }

    /** Lets out, in order, every held output whose records are durable. */
    private void release() {
        while (!held.isEmpty() && held.peekFirst().ticket() <= syncedTicket) {
            Ready ready = held.pollFirst().ready();
            for (Envelope envelope : ready.messages()) {
                transport.send(envelope);
            }
            for (Envelope vote : ready.ownVotes()) {
                internal.addLast(new Input.Receive(vote));
            }
            for (LogEntry entry : ready.toApply()) {
                apply(entry);
            }
            for (Ready.Rejection rejection : ready.rejected()) {
                answer(rejection.requestId(), new Outcome.Rejected(rejection.reason()));
                answerRead(rejection.requestId(), new ReadOutcome.Refused(rejection.reason()));
            }
            for (Ready.ReadIndexed read : ready.readIndexes()) {
                answerRead(read.requestId(), new ReadOutcome.Indexed(read.index()));
            }
            for (long requestId : ready.unknown()) {
                answer(requestId, new Outcome.Unknown());
            }
            for (Ready.SnapshotRead read : ready.snapshotReads()) {
                sendSnapshotChunk(read);
            }
            for (Ready.SnapshotWrite write : ready.snapshotWrites()) {
                receiveSnapshotChunk(write);
            }
        }
        maybeSnapshot();
    }

    private void answerRead(long requestId, ReadOutcome outcome) {
        Consumer<ReadOutcome> callback = reading.remove(requestId);
        if (callback != null) {
            callback.accept(outcome);
        }
    }

    private void answer(long requestId, Outcome outcome) {
        Consumer<Outcome> callback = waiting.remove(requestId);
        if (callback != null) {
            callback.accept(outcome);
        }
    }

    private void apply(LogEntry entry) {
        if (entry.slot() < appliedSlot && entry.slot() < snapshotSlot) {
            return; // covered by a snapshot installed since this entry was handed out
        }
        Invariants.check(entry.slot() == appliedSlot, "replica %d applying slot %d, expected %d",
                self, entry.slot(), appliedSlot);
        loggedBytes += SnapshotPolicy.SLOT_OVERHEAD_BYTES;
        for (Command command : entry.value().commands()) {
            loggedBytes += command.payload().length;
            if (!command.isClient()) {
                continue; // the election's own command: the node gave it to the election; not the state machine's
            }
            byte[] result = stateMachine.apply(entry.slot(), command.payload());
            if (command.origin() == self) {
                answer(command.requestId(), new Outcome.Applied(entry.slot(), result));
            }
        }
        appliedSlot++;
    }

    // ----- snapshots -----

    private void maybeSnapshot() {
        SnapshotPolicy policy = options.snapshots();
        long slotsSince = appliedSlot - snapshotSlot;
        long bytesSince = loggedBytes - loggedBytesAtSnapshot;
        if (snapshotInProgress || !policy.due(slotsSince, bytesSince, snapshotBytes)) {
            return;
        }
        // A peer fetching the current snapshot would have to start over with a new one: while it is fetching, wait,
        // up to SERVING_DEFER_FACTOR times the thresholds (a log that grows faster than a transfer would starve it).
        // A fetching peer that lost a chunk asks again after 2 * retransmitMs: count it as fetching for longer.
        if (nowMs < servedChunkAtMs + 5 * node.config().retransmitMs()
                && !policy.overdue(SERVING_DEFER_FACTOR, slotsSince, bytesSince, snapshotBytes)) {
            return;
        }
        snapshotInProgress = true;
        long slot = appliedSlot;
        loggedBytesAtCapture = loggedBytes;
        long bytes = storage.saveSnapshot(slot, SnapshotEnvelope.wrap(node.electionStateAt(slot),
                stateMachine.snapshot()));
        if (bytes >= 0) {
            snapshotDurable(slot, bytes);
        }
    }

    /** A snapshot at {@code slot} is durable: the node may serve it, and the log below the retained part may go. */
    private void snapshotDurable(long slot, long bytes) {
        snapshotInProgress = false;
        if (slot > snapshotSlot) {
            snapshotSlot = slot;
            snapshotBytes = bytes;
            loggedBytesAtSnapshot = loggedBytesAtCapture;
            long retainFrom = Math.max(0, slot - options.retainSlots());
            internal.addLast(new Input.SnapshotTaken(slot, bytes, retainFrom));
            storage.compact(retainFrom);
        }
    }

    private void sendSnapshotChunk(Ready.SnapshotRead read) {
        if (read.slot() != snapshotSlot) {
            return;
        }
        servedChunkAtMs = nowMs;
        byte[] data = storage.readSnapshot(read.slot(), read.offset(), read.maxBytes());
        if (data != null) {
            transport.send(new Envelope(self, read.to(),
                    new SnapshotChunk(read.slot(), read.offset(), read.totalBytes(), data)));
        }
    }

    private void receiveSnapshotChunk(Ready.SnapshotWrite write) {
        storage.writeSnapshotChunk(write.slot(), write.offset(), write.data());
        if (!write.last()) {
            return;
        }
        // A snapshot no newer than what this replica already applied is useless: finishSnapshot keeps the newest.
        boolean ok = storage.finishSnapshot(write.slot(), write.totalBytes());
        byte[] electionState = new byte[0];
        if (ok && write.slot() > appliedSlot) {
            electionState = SnapshotEnvelope.restore(stateMachine, storage.openSnapshot(write.slot()));
            appliedSlot = write.slot();
            snapshotSlot = write.slot();
            snapshotBytes = write.totalBytes();
            loggedBytesAtSnapshot = loggedBytes;
        }
        internal.addLast(new Input.SnapshotInstalled(write.slot(), ok, electionState));
    }

    /**
     * The node is being abandoned (its storage failed): answers every proposal still waiting as of unknown outcome
     * ({@link Outcome.Unknown}), since some may yet be chosen through peers. The replica must not be used afterwards.
     */
    public void abandon() {
        abandonWith(new Outcome.Unknown());
    }

    /**
     * The node is being abandoned because its disk is full: like {@link #abandon()}, but every proposal still waiting
     * is answered {@link Outcome.DiskFull}. The replica must not be used afterwards.
     */
    public void abandonDiskFull() {
        abandonWith(new Outcome.DiskFull());
    }

    private void abandonWith(Outcome outcome) {
        List<Consumer<Outcome>> callbacks = List.copyOf(waiting.values());
        List<Consumer<ReadOutcome>> reads = List.copyOf(reading.values());
        waiting.clear();
        reading.clear();
        held.clear();
        for (Consumer<Outcome> callback : callbacks) {
            callback.accept(outcome);
        }
        for (Consumer<ReadOutcome> callback : reads) {
            callback.accept(new ReadOutcome.Lost());
        }
    }

    // ----- queries -----

    /** When the node next needs {@link #tick}. */
    public long wakeAtMs() {
        return wakeAtMs;
    }

    /** Every slot below this one has been applied to the state machine. */
    public long appliedSlot() {
        return appliedSlot;
    }

    /** The slot of the newest durable snapshot (0 if none). */
    public long snapshotSlot() {
        return snapshotSlot;
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
