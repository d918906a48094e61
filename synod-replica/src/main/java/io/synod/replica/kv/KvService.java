package io.synod.replica.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.synod.core.Invariants;
import io.synod.core.Ready;
import io.synod.kv.Entry;
import io.synod.kv.Item;
import io.synod.kv.KvStore;
import io.synod.kv.proto.Delete;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.KvResult;
import io.synod.kv.proto.Put;
import io.synod.core.election.Mastership;
import io.synod.replica.Outcome;
import io.synod.replica.ReadOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The key-value requests a node serves (DESIGN.md §1), decided on the replica loop's thread: a write becomes a
 * {@link KvCommand} proposed through the log and its {@link KvResult} becomes the answer; a read waits for its
 * {@code min-slot}, is ordered against writes as its consistency asks, and is answered from the local store. The
 * server's HTTP layer and the simulator's clients both use this class, so the simulator tests the production rules.
 *
 * <p>Rules that keep the contract:
 * <ul>
 *   <li>A node that can see it cannot reach a majority refuses writes and ordered reads at once
 *       ({@link KvAnswer.Refusal#NO_QUORUM}), before it proposes anything.</li>
 *   <li>A write that was proposed is answered applied, or unknown: never "failed". A request that does not finish
 *       within {@link Options#requestTimeoutMs()} is answered {@link KvAnswer.Unknown} (a write) or
 *       {@link KvAnswer.TimedOut} (a read), and a late outcome is then ignored.</li>
 *   <li>A read-only node (its disk is full) refuses writes and ordered reads; stale reads go on.</li>
 * </ul>
 *
 * <p>Bounded: at most {@link Options#outstandingMax()} requests wait at once; more are refused
 * ({@link KvAnswer.Refusal#OVERLOADED}).
 *
 * <p>Contract: every method is called on the replica loop's thread; the answer callbacks run on it too, during the
 * call or during a later {@link #tick} / {@link #afterApply}. The host calls {@link #afterApply} after every batch of
 * work it gave the replica, and {@link #tick} at or after {@link #wakeAtMs()}.
 */
public final class KvService {
    /** What the service runs on; every method is called on the replica loop's thread and never blocks. */
    public interface Host {
        /** The loop's clock, in ms; never goes backwards. */
        long nowMs();

        /** This node's id. */
        int nodeId();

        /** What the node's election publishes now: who is master, and until when this node may read locally. */
        Mastership mastership();

        /** The node's commit index: every slot below it is known chosen. */
        long committedSlot();

        /** The store reads are answered from: the state after the last applied command. */
        KvStore store();

        /** Every slot below this one has been applied to {@link #store()}. */
        long appliedSlot();

        /** Whether the node can put commands in the log now (false while it is read-only: its disk is full). */
        boolean writable();

        /**
         * False when this node can see that it cannot reach a majority of the cluster, itself included (its
         * connections to too many peers are down). True does not promise a majority is reachable.
         */
        boolean majorityReachable();

        /**
         * Proposes a serialized {@link KvCommand}; {@code done} is called once, on this thread, with the outcome.
         * Called only while {@link #writable()}; if the node stops being writable first, the outcome is unknown.
         */
        void propose(byte[] command, Consumer<Outcome> done);

        /**
         * Orders a read through the log's leader without writing to the log (ReadIndex); {@code done} is called once,
         * on this thread. Called only while {@link #writable()}.
         */
        void readIndex(Consumer<ReadOutcome> done);
    }

    /**
     * @param requestTimeoutMs how long a request may wait (for the log, for its min-slot) before it is answered as
     *     timed out
     * @param outstandingMax the most requests waiting at once
     */
    public record Options(long requestTimeoutMs, int outstandingMax) {
        public Options {
            if (requestTimeoutMs < 1 || outstandingMax < 1) {
                throw new IllegalArgumentException("request timeout and outstanding bound must be positive");
            }
        }

        public static Options defaults() {
            return new Options(5_000, 100_000);
        }
    }

    private final Host host;
    private final ReadOrdering ordering;
    private final Options options;
    /** Requests not yet answered, oldest (first to time out) first. */
    private final Waiting waiting = new Waiting();
    /** Reads waiting for their min-slot: the slot that must be applied, to the reads. */
    private final TreeMap<Long, List<Request<?>>> bySlot = new TreeMap<>();
    private final TreeMap<Long, List<Runnable>> orderingWaits = new TreeMap<>();

    public KvService(Host host, ReadOrdering ordering, Options options) {
        this.host = host;
        this.ordering = ordering;
        this.options = options;
    }

    // ----- writes -----

    /** Puts a key; {@code answer} gets one {@link KvAnswer.Write}. */
    public void put(KvRequest.Put put, Consumer<KvAnswer.Write> answer) {
        Put.Builder body = Put.newBuilder().setKey(ByteString.copyFrom(put.key()))
                .setValue(ByteString.copyFrom(put.value()));
        switch (put.condition()) {
            case KvRequest.Condition.None none -> { }
            case KvRequest.Condition.IfMatch ifMatch -> body.setExpectedVersion(ifMatch.version());
            case KvRequest.Condition.IfAbsent ifAbsent -> body.setCreateOnly(true);
        }
        write(keyed(KvCommand.newBuilder().setPut(body), put.idempotencyKey()), false, answer);
    }

    /** Deletes a key; {@code answer} gets one {@link KvAnswer.Write}. */
    public void delete(KvRequest.Delete delete, Consumer<KvAnswer.Write> answer) {
        Delete.Builder body = Delete.newBuilder().setKey(ByteString.copyFrom(delete.key()));
        if (delete.condition() instanceof KvRequest.Condition.IfMatch ifMatch) {
            body.setExpectedVersion(ifMatch.version());
        }
        write(keyed(KvCommand.newBuilder().setDelete(body), delete.idempotencyKey()), true, answer);
    }

    private static byte[] keyed(KvCommand.Builder command, String idempotencyKey) {
        if (idempotencyKey != null) {
            command.setIdempotencyKey(idempotencyKey);
        }
        return command.build().toByteArray();
    }

    private void write(byte[] command, boolean isDelete, Consumer<KvAnswer.Write> answer) {
        if (!host.writable()) {
            answer.accept(new KvAnswer.Refused(KvAnswer.Refusal.DISK_FULL));
            return;
        }
        if (!host.majorityReachable()) {
            answer.accept(new KvAnswer.Refused(KvAnswer.Refusal.NO_QUORUM));
            return;
        }
        Request<KvAnswer.Write> request = track(answer,
                () -> new KvAnswer.Unknown("no answer within " + options.requestTimeoutMs() + " ms"));
        if (request == null) {
            answer.accept(new KvAnswer.Refused(KvAnswer.Refusal.OVERLOADED));
            return;
        }
        host.propose(command, outcome -> request.complete(writeAnswer(outcome, isDelete)));
    }

    private static KvAnswer.Write writeAnswer(Outcome outcome, boolean isDelete) {
        return switch (outcome) {
            case Outcome.Applied applied -> {
                KvResult result = parseResult(applied.result());
                yield switch (result.getStatus()) {
                    // The result's slot, not the slot of this command: a retried write carries the first one's.
                    case OK -> isDelete ? new KvAnswer.Deleted(result.getSlot(), result.getVersion(),
                            result.getDeleted()) : new KvAnswer.Written(result.getSlot(), result.getVersion());
                    case PRECONDITION_FAILED -> new KvAnswer.PreconditionFailed(result.getSlot(), result.getExists(),
                            result.getCurrentVersion());
                    case IDEMPOTENCY_KEY_REUSED -> new KvAnswer.IdempotencyKeyReused(result.getError());
                    case BAD_COMMAND, STATUS_UNSPECIFIED, UNRECOGNIZED -> new KvAnswer.BadCommand(
                            result.getError().isEmpty() ? "the command was not understood" : result.getError());
                };
            }
            case Outcome.Rejected rejected -> new KvAnswer.Refused(refusal(rejected.reason()));
            case Outcome.Unknown unknown -> new KvAnswer.Unknown("its slot was covered by a snapshot from a peer");
            // Proposed, so it may be chosen through the peers: unknown (504), not refused (507 means nothing was done).
            case Outcome.DiskFull full -> new KvAnswer.Unknown("this node's disk filled up before the write was "
                    + "answered; it may still be applied through the other nodes");
        };
    }

    static KvAnswer.Refusal refusal(Ready.Reason reason) {
        return switch (reason) {
            case OVERLOADED -> KvAnswer.Refusal.OVERLOADED;
            case NOT_MASTER -> KvAnswer.Refusal.NO_MASTER;
        };
    }

    private static KvResult parseResult(byte[] bytes) {
        try {
            return KvResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException impossible) {
            throw new IllegalStateException("the state machine returned an unreadable result", impossible);
        }
    }

    // ----- reads -----

    /** Reads a key; {@code answer} gets one {@link KvAnswer.Read} of the key's entry, empty if absent. */
    public void get(KvRequest.Get get, Consumer<KvAnswer.Read<Optional<Entry>>> answer) {
        read(get.consistency(), get.minSlot(), () -> host.store().get(get.key()), answer);
    }

    /** Lists keys by prefix; {@code answer} gets one {@link KvAnswer.Read} of the items. */
    public void list(KvRequest.ListPrefix list, Consumer<KvAnswer.Read<List<Item>>> answer) {
        read(list.consistency(), list.minSlot(), () -> host.store().list(list.prefix(), list.limit()), answer);
    }

    private <T> void read(KvRequest.Consistency consistency, Long minSlot, Supplier<T> value,
            Consumer<KvAnswer.Read<T>> answer) {
        Request<KvAnswer.Read<T>> request = track(answer, KvAnswer.TimedOut::new);
        if (request == null) {
            answer.accept(new KvAnswer.ReadRefused<>(KvAnswer.Refusal.OVERLOADED));
            return;
        }
        Runnable serve = () -> serve(request, consistency, value);
        if (minSlot == null || host.appliedSlot() > minSlot) {
            serve.run();
        } else {
            request.onApplied = serve;
            request.minSlot = minSlot;
            bySlot.computeIfAbsent(minSlot, slot -> new ArrayList<>()).add(request);
        }
    }

    private <T> void serve(Request<KvAnswer.Read<T>> request, KvRequest.Consistency consistency, Supplier<T> value) {
        if (consistency == KvRequest.Consistency.STALE) {
            request.complete(new KvAnswer.Value<>(value.get(), host.appliedSlot(), false));
        } else if (!host.writable()) {
            request.complete(new KvAnswer.ReadRefused<>(KvAnswer.Refusal.DISK_FULL));
        } else if (!host.majorityReachable()) {
            request.complete(new KvAnswer.ReadRefused<>(KvAnswer.Refusal.NO_QUORUM));
        } else {
            ordering.order(this, host, consistency, refusal -> request.complete(refusal == null
                    ? new KvAnswer.Value<>(value.get(), host.appliedSlot(), true)
                    : new KvAnswer.ReadRefused<>(refusal)));
        }
    }

    // ----- time and progress -----

    /**
     * Runs {@code then} once every slot up to {@code slot} is applied here (at once if it is). For read orderings,
     * which wait for the state to catch up with an index; at most one wait per read, so it is bounded like reads.
     */
    public void whenApplied(long slot, Runnable then) {
        if (host.appliedSlot() > slot) {
            then.run();
        } else {
            orderingWaits.computeIfAbsent(slot, s -> new ArrayList<>()).add(then);
        }
    }

    /** The host applied more slots: reads waiting for their min-slot may go on. */
    public void afterApply() {
        long applied = host.appliedSlot();
        while (!orderingWaits.isEmpty() && orderingWaits.firstKey() < applied) {
            for (Runnable then : orderingWaits.pollFirstEntry().getValue()) {
                then.run();
            }
        }
        while (!bySlot.isEmpty() && bySlot.firstKey() < applied) {
            for (Request<?> request : bySlot.pollFirstEntry().getValue()) {
                request.minSlot = null;
                if (!request.done) {
                    request.onApplied.run();
                }
            }
        }
    }

    /** Answers every request that has waited longer than the request timeout. */
    public void tick(long nowMs) {
        for (Request<?> oldest = waiting.first(); oldest != null && oldest.deadlineMs <= nowMs;
                oldest = waiting.first()) {
            oldest.timeOut();
        }
    }

    /** When the next request times out, or {@code Long.MAX_VALUE}. */
    public long wakeAtMs() {
        Request<?> oldest = waiting.first();
        return oldest == null ? Long.MAX_VALUE : oldest.deadlineMs;
    }

    /** How many requests wait for an answer. */
    public int outstanding() {
        return waiting.size;
    }

    /** How many distinct min-slots reads wait for (each such read is also {@link #outstanding()}); for tests. */
    int minSlotsWaitedFor() {
        return bySlot.size();
    }

    /** The node stops: every request still waiting is answered as timed out (writes: unknown). */
    public void abandon() {
        while (waiting.first() != null) {
            waiting.first().timeOut();
        }
        orderingWaits.clear();
    }

    // ----- bookkeeping -----

    /** Registers a request that will time out; null if too many wait already. */
    private <A> Request<A> track(Consumer<A> answer, Supplier<A> onTimeout) {
        if (waiting.size >= options.outstandingMax()) {
            return null;
        }
        Request<A> request = new Request<>(answer, onTimeout, host.nowMs() + options.requestTimeoutMs());
        waiting.addLast(request);
        return request;
    }

    /** One request waiting for its answer; in {@link #waiting} until answered. */
    private final class Request<A> {
        final Consumer<A> answer;
        final Supplier<A> onTimeout;
        final long deadlineMs;
        Request<?> previous;
        Request<?> next;
        boolean done;
        Long minSlot;
        Runnable onApplied;

        Request(Consumer<A> answer, Supplier<A> onTimeout, long deadlineMs) {
            this.answer = answer;
            this.onTimeout = onTimeout;
            this.deadlineMs = deadlineMs;
        }

        /** Answers, once; later answers (a late outcome after a timeout) are dropped. */
        void complete(A result) {
            if (done) {
                return;
            }
            done = true;
            waiting.remove(this);
            if (minSlot != null) {
                List<Request<?>> sameSlot = bySlot.get(minSlot);
                sameSlot.remove(this);
                if (sameSlot.isEmpty()) {
                    bySlot.remove(minSlot);
                }
                minSlot = null;
            }
            answer.accept(result);
        }

        void timeOut() {
            complete(onTimeout.get());
        }
    }

    /** The waiting requests in deadline order (every request gets the same timeout, so that is arrival order). */
    private final class Waiting {
        private Request<?> head;
        private Request<?> tail;
        int size;

        Request<?> first() {
            return head;
        }

        void addLast(Request<?> request) {
            Invariants.check(tail == null || tail.deadlineMs <= request.deadlineMs, "deadlines out of order");
            request.previous = tail;
            if (tail == null) {
                head = request;
            } else {
                tail.next = request;
            }
            tail = request;
            size++;
        }

        void remove(Request<?> request) {
            if (request.previous == null) {
                head = request.next;
            } else {
                request.previous.next = request.next;
            }
            if (request.next == null) {
                tail = request.previous;
            } else {
                request.next.previous = request.previous;
            }
            request.previous = null;
            request.next = null;
            size--;
        }
    }
}
