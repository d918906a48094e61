package io.synod.sim.scenario;

import io.synod.replica.kv.KvRequest.Consistency;
import java.time.Duration;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.BooleanSupplier;

/**
 * The one cluster a {@link Scenarios scenario} is written against, so that it runs unchanged on the deterministic
 * simulator ({@code io.synod.sim.SimulatedCluster}) and on real {@code synod server} processes (synod-dist's
 * {@code ProcessScenarioCluster}). It offers only what both can do faithfully.
 *
 * <p><b>Nodes.</b> Node ids are {@code 0..size()-1}. A new cluster has every data dir empty and no node running:
 * a scenario starts the nodes it wants with {@link #start}.
 *
 * <p><b>Time.</b> The cluster owns the clock. Only its methods let time pass: a request waits for its answer, and
 * {@link #await} and {@link #pass} wait. On the simulator that is simulated time and nothing happens between calls; on
 * processes it is wall time and the cluster runs on its own. A scenario must therefore never read a clock or sleep
 * itself, and must never depend on anything happening faster than the bounds it gives.
 *
 * <p><b>Failures.</b> No method throws because a node is down, slow or cut off: requests answer {@link Status#DOWN},
 * {@link Status#REFUSED} or {@link Status#UNKNOWN} instead, and {@link #status} answers empty. Methods throw
 * {@link AssertionError} for what a scenario cannot go on from: a bound passed in {@link #await}, a node that does not
 * start, or (on the simulator) a checker that found a violated invariant.
 *
 * <p><b>Threads.</b> One thread drives a cluster; implementations need not be thread-safe.
 */
public interface ScenarioCluster extends AutoCloseable {

    /** What became of a request. */
    enum Status {
        /** A write was applied; a read found the key (or, for a delete, the key existed and is gone). */
        OK,
        /** A read found no such key; a delete was applied and there was no such key. */
        ABSENT,
        /** The node refused it before proposing anything (no quorum, no master, full disk, overload): never applied. */
        REFUSED,
        /** No definite answer in time (a timeout, or the node died with it in flight): a write may still apply. */
        UNKNOWN,
        /** The request never reached the node: it was not running, or refused the connection. It never happens. */
        DOWN
    }

    /**
     * A node's answer to one request.
     *
     * @param status what became of it
     * @param value the value read ({@link Status#OK} reads only), else null
     * @param version for an applied write: the revision it took (a put: the key's new version); for a read that found
     *     the key: its version; else 0
     * @param slot for an applied write: the slot it was applied at; for an answered read: the node's applied index
     *     when it answered; else -1
     */
    record Reply(Status status, String value, long version, long slot) {
        /** A write's answer says it was applied ({@link Status#OK} or, for a delete, {@link Status#ABSENT}). */
        public boolean applied() {
            return status == Status.OK || status == Status.ABSENT;
        }

        /** The write certainly never took and never will take effect. */
        public boolean neverApplied() {
            return status == Status.REFUSED || status == Status.DOWN;
        }
    }

    /** A key's value and version, as a listing shows it. */
    record Versioned(String value, long version) {}

    /**
     * A node's progress through the log (glossary: commit index, applied index).
     *
     * @param committed the first slot the node does not know chosen
     * @param applied the first slot the node has not applied to its state machine
     */
    record Slots(long committed, long applied) {}

    /** The number of nodes, running or not. Never changes. */
    int size();

    /**
     * Starts node {@code node} on its data dir: the first start on an empty one, or a restart after {@link #kill} or
     * {@link #stop} that recovers what the disk kept. Returns once the node runs and answers requests; it need not have
     * reached its peers or caught up yet. Throws {@link AssertionError} if the node is running already or does not
     * come up (its data dir is refused, it exits).
     */
    void start(int node);

    /**
     * Crashes node {@code node} at once, mid-work, and returns once it is gone: {@code kill -9} of a process; on the
     * simulator a crash of the machine that also loses every byte not yet synced (so durability rests on fsync alone).
     * Requests in flight on it end {@link Status#UNKNOWN}. Does nothing if it is not running.
     */
    void kill(int node);

    /**
     * Stops node {@code node} cleanly and returns once it is gone: SIGTERM on a process, which must then have said it
     * stopped in its log; on the simulator a stop that loses nothing written. Does nothing if it is not running.
     */
    void stop(int node);

    /** {@link #kill} then {@link #start}. */
    default void restart(int node) {
        kill(node);
        start(node);
    }

    /** Whether node {@code node} runs (started, and neither killed nor stopped since). */
    boolean isRunning(int node);

    /**
     * Cuts node {@code node} off from every other node, both ways, until {@link #heal}. Clients still reach it.
     * Messages already delivered stay delivered; on processes, bytes in flight are held, not lost.
     */
    void isolate(int node);

    /** Lifts every {@link #isolate}. Nodes reconnect on their own; use {@link #await} for the effect. */
    void heal();

    /**
     * Puts {@code key} = {@code value} through node {@code node} ({@code PUT /v1/kv/KEY}) and waits for its answer:
     * {@link Status#OK} with version and slot, or {@link Status#REFUSED}, {@link Status#UNKNOWN}, {@link Status#DOWN}.
     * A follower forwards to the master as the server does.
     *
     * @param idempotencyKey the request's {@code Idempotency-Key}, or null for none; the same key again on the same
     *     request is applied at most once and answered as the first time
     */
    Reply put(int node, String key, String value, String idempotencyKey);

    /**
     * Deletes {@code key} through node {@code node} ({@code DELETE /v1/kv/KEY}) and waits for its answer:
     * {@link Status#OK} (it existed) or {@link Status#ABSENT} (it did not), both applied with version and slot; or
     * {@link Status#REFUSED}, {@link Status#UNKNOWN}, {@link Status#DOWN}.
     *
     * @param idempotencyKey as for {@link #put}
     */
    Reply delete(int node, String key, String idempotencyKey);

    /**
     * Reads {@code key} on node {@code node} ({@code GET /v1/kv/KEY?consistency=C&min-slot=S}) and waits for the
     * answer: {@link Status#OK} with value and version, {@link Status#ABSENT}, or {@link Status#REFUSED},
     * {@link Status#UNKNOWN} (it did not complete in time, e.g. the min-slot was not reached), {@link Status#DOWN}.
     * {@link Consistency#STALE} reads this node's own replica, so it shows what this node holds.
     *
     * @param minSlot first wait (bounded) until this node has applied slot {@code minSlot} (its applied index is above
     *     it), as a write's answer names it; negative waits for nothing
     */
    Reply get(int node, String key, Consistency consistency, long minSlot);

    /** {@link #get(int, String, Consistency, long)} without waiting for a slot. */
    default Reply get(int node, String key, Consistency consistency) {
        return get(node, key, consistency, -1);
    }

    /**
     * Every key starting with {@code prefix} in node {@code node}'s own replica
     * ({@code GET /v1/kv?prefix=P&consistency=stale}), sorted, with value and version; empty if the node does not
     * answer. Throws {@link AssertionError} if the listing may be cut short (10 000 keys or more: the API's limit).
     */
    Optional<SortedMap<String, Versioned>> list(int node, String prefix);

    /** Node {@code node}'s commit and applied index ({@code GET /v1/status}); empty if it does not answer. */
    Optional<Slots> status(int node);

    /**
     * Waits until {@code condition} holds, evaluating it now and then at short intervals of cluster time (simulated
     * time runs between evaluations; on processes the thread sleeps). The condition may call this cluster's methods,
     * even requests. Throws {@link AssertionError} naming {@code what} if it does not hold within {@code within};
     * whatever the condition throws ends the wait too.
     */
    void await(String what, Duration within, BooleanSupplier condition);

    /** Lets {@code duration} of cluster time pass with no request of the scenario's own. */
    void pass(Duration duration);

    /** Stops every node that runs (as {@link #kill}) and releases what the cluster holds. Never throws. */
    @Override
    void close();
}
