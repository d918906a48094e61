package io.synod.sim;

import io.synod.core.InvariantViolation;
import io.synod.kv.Entry;
import io.synod.kv.Item;
import io.synod.replica.kv.KvAnswer;
import io.synod.replica.kv.KvRequest;
import io.synod.replica.kv.KvRequest.Consistency;
import io.synod.sim.history.Answer;
import io.synod.sim.history.Condition;
import io.synod.sim.history.LinearizabilityChecker;
import io.synod.sim.history.Operation;
import io.synod.sim.scenario.ScenarioCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * {@link ScenarioCluster} on the deterministic simulator: a {@link Simulation} of real replicas, cores, storage on
 * {@link SimDisk}s and the real {@code KvStateMachine} behind the real {@code KvService}, driven by a script instead
 * of random clients and chaos. The seed still picks the {@link Scenario}: cluster size (3 or 5), timings, batching,
 * snapshots, segment size, and the passive faults — message loss, duplication and reordering, clock drift, fsync
 * latency and torn tails. Crashes, partitions and stops come only from the script.
 *
 * <p>Every checker runs after every event, as in a random run; a violation ends the script with an
 * {@link AssertionError} naming the checker, the seed and the last events. Requests are recorded as a history, which
 * {@link #checkHistory} checks for linearizability. A {@link #kill} is a machine crash: what was not synced is lost.
 */
public final class SimulatedCluster implements ScenarioCluster {
    /** How long a request waits for its node's answer (simulated ms), as a client's timeout. */
    static final long REQUEST_TIMEOUT_MS = SimClient.TIMEOUT_MS;
    /** How often {@link #await} evaluates its condition (simulated ms). */
    static final long POLL_MS = 10;
    /** The history's process id for the script's requests. */
    private static final int SCRIPT = 0;

    /** A keyed write without a definite answer yet: one operation from its first attempt to that answer. */
    private record Pending(long invokedAtMs, boolean maybeApplied) {}

    private final Simulation sim;
    private final Map<String, Pending> pending = new HashMap<>();
    private AssertionError failure;

    /** @param seed picks the scenario and drives every random choice */
    public SimulatedCluster(long seed) {
        this.sim = new Simulation(Simulation.Options.of(seed));
    }

    /** The seed and the scenario, for a failure message. */
    public String describe() {
        return "seed " + sim.options.seed() + " (" + sim.scenario() + ")";
    }

    /** Simulated time now (global ms). */
    public long nowMs() {
        return sim.now();
    }

    @Override
    public int size() {
        return sim.nodeCount();
    }

    @Override
    public void start(int node) {
        SimNode target = sim.node(node);
        if (target.isUp()) {
            throw new AssertionError("node " + node + " is running already");
        }
        target.start();
        if (!target.isUp()) {
            throw fail("node " + node + " did not start" + (target.dead ? ": " + target.deathReason : ""));
        }
        advance(sim.now());
    }

    @Override
    public void kill(int node) {
        if (sim.node(node).isUp()) {
            sim.node(node).crash();
        }
    }

    @Override
    public void stop(int node) {
        if (sim.node(node).isUp()) {
            sim.node(node).stopCleanly();
        }
    }

    @Override
    public boolean isRunning(int node) {
        return sim.node(node).isUp();
    }

    @Override
    public void isolate(int node) {
        sim.isolateNode(node);
    }

    @Override
    public void heal() {
        sim.healPartitions();
    }

    @Override
    public Reply put(int node, String key, String value, String idempotencyKey) {
        KvRequest.Put put = new KvRequest.Put(bytes(key), bytes(value), KvRequest.Condition.NONE, idempotencyKey);
        return write(node, put, Operation.Kind.PUT, key, value, idempotencyKey);
    }

    @Override
    public Reply delete(int node, String key, String idempotencyKey) {
        KvRequest.Delete delete = new KvRequest.Delete(bytes(key), KvRequest.Condition.NONE, idempotencyKey);
        return write(node, delete, Operation.Kind.DELETE, key, null, idempotencyKey);
    }

    private Reply write(int node, KvRequest request, Operation.Kind kind, String key, String value,
            String idempotencyKey) {
        long invoked = sim.now();
        Object answer = submit(node, request);
        Reply reply = switch (answer) {
            case null -> new Reply(Status.UNKNOWN, null, 0, -1);
            case KvAnswer.Written written -> new Reply(Status.OK, null, written.version(), written.slot());
            case KvAnswer.Deleted deleted -> new Reply(deleted.deleted() ? Status.OK : Status.ABSENT, null,
                    deleted.version(), deleted.slot());
            case KvAnswer.Refused refused -> new Reply(Status.REFUSED, null, 0, -1);
            case KvAnswer.Unknown unknown -> new Reply(Status.UNKNOWN, null, 0, -1);
            case Status down -> new Reply(down, null, 0, -1);
            default -> throw fail("node " + node + " answered " + kind + " " + key + " with " + answer);
        };
        if (reply.applied()) {
            try {
                sim.checkers.onWriteAnswer(request, reply.slot());
            } catch (SimFailure violation) {
                throw fail(violation);
            }
        }
        recordWrite(kind, key, value, idempotencyKey, invoked, reply);
        return reply;
    }

    /**
     * Records a write in the history. A keyed write is one operation from its first attempt to its first definite
     * answer, as a client retrying it sees it; without a key every attempt is one.
     */
    private void recordWrite(Operation.Kind kind, String key, String value, String idempotencyKey, long invoked,
            Reply reply) {
        if (idempotencyKey != null) {
            Pending before = pending.remove(idempotencyKey);
            long first = before == null ? invoked : before.invokedAtMs();
            boolean maybe = (before != null && before.maybeApplied()) || reply.status() == Status.UNKNOWN;
            if (!reply.applied()) {
                pending.put(idempotencyKey, new Pending(first, maybe));
                return;
            }
            invoked = first;
        } else if (reply.neverApplied()) {
            return;
        }
        Answer answer = switch (reply.status()) {
            case OK -> kind == Operation.Kind.PUT ? new Answer.Written(reply.version())
                    : new Answer.Deleted(reply.version(), true);
            case ABSENT -> new Answer.Deleted(reply.version(), false);
            default -> new Answer.Unknown();
        };
        long completed = answer instanceof Answer.Unknown ? Operation.UNKNOWN_COMPLETION : sim.now();
        sim.record(new Operation(sim.nextOperationId(), SCRIPT, kind, key, value, new Condition.None(),
                Operation.LINEARIZABLE, invoked, completed, answer));
    }

    @Override
    public Reply get(int node, String key, Consistency consistency, long minSlot) {
        long invoked = sim.now();
        Object answer = submit(node, new KvRequest.Get(bytes(key), consistency, minSlot < 0 ? null : minSlot));
        if (answer instanceof KvAnswer.Value<?> value) {
            Optional<?> found = (Optional<?>) value.value();
            Reply reply = found.map(e -> new Reply(Status.OK, text(((Entry) e).value()), ((Entry) e).version(),
                    value.appliedSlot())).orElseGet(() -> new Reply(Status.ABSENT, null, 0, value.appliedSlot()));
            Answer recorded = reply.status() == Status.OK ? new Answer.ReadValue(reply.value(), reply.version())
                    : new Answer.ReadAbsent();
            sim.record(new Operation(sim.nextOperationId(), SCRIPT, Operation.Kind.READ, key, null,
                    new Condition.None(), consistency.name().toLowerCase(Locale.ROOT), invoked, sim.now(), recorded));
            return reply;
        }
        return switch (answer) {
            case KvAnswer.ReadRefused<?> refused -> new Reply(Status.REFUSED, null, 0, -1);
            case Status down -> new Reply(down, null, 0, -1);
            case null, default -> new Reply(Status.UNKNOWN, null, 0, -1);
        };
    }

    @Override
    public Optional<SortedMap<String, Versioned>> list(int node, String prefix) {
        Object answer = submit(node, new KvRequest.ListPrefix(bytes(prefix), 10_000, Consistency.STALE, null));
        if (!(answer instanceof KvAnswer.Value<?> value)) {
            return Optional.empty();
        }
        List<?> items = (List<?>) value.value();
        if (items.size() >= 10_000) {
            throw new AssertionError("node " + node + " holds 10 000 keys or more under '" + prefix + "'");
        }
        SortedMap<String, Versioned> listing = new TreeMap<>();
        for (Object item : items) {
            Item entry = (Item) item;
            listing.put(text(entry.key()), new Versioned(text(entry.value()), entry.version()));
        }
        return Optional.of(listing);
    }

    @Override
    public Optional<Slots> status(int node) {
        SimNode target = sim.node(node);
        if (!target.isUp()) {
            return Optional.empty();
        }
        return Optional.of(new Slots(target.replica.status().committed(), target.replica.appliedSlot()));
    }

    @Override
    public void await(String what, Duration within, BooleanSupplier condition) {
        long deadline = sim.now() + within.toMillis();
        while (!condition.getAsBoolean()) {
            if (sim.now() >= deadline) {
                throw new AssertionError(what + ": not within " + within.toMillis() + " simulated ms; "
                        + nodesReport() + "; " + describe());
            }
            advance(Math.min(deadline, sim.now() + POLL_MS));
        }
    }

    @Override
    public void pass(Duration duration) {
        advance(sim.now() + duration.toMillis());
    }

    @Override
    public void close() {
        for (int node = 0; node < size(); node++) {
            kill(node);
        }
    }

    /**
     * The script's history must be linearizable (stale reads: the weaker rule). Keyed writes that never got a
     * definite answer count as unknown if an attempt may have been applied, and are left out otherwise.
     */
    public void checkHistory() {
        pending.forEach((key, write) -> {
            if (write.maybeApplied()) {
                throw new AssertionError("a keyed write (" + key + ") was left unknown; the scenario must retry it");
            }
        });
        LinearizabilityChecker.Result verdict = new LinearizabilityChecker().check(sim.history());
        if (!verdict.linearizable()) {
            throw new AssertionError("the scenario's history is not linearizable, " + describe() + ":\n"
                    + verdict.report());
        }
    }

    /** How many requests the history holds (for a test that the scenario did real work). */
    public int operations() {
        return sim.history().size();
    }

    // ----- running the simulation -----

    /**
     * Hands {@code request} to node {@code node}'s service and runs the simulation until it answers or
     * {@link #REQUEST_TIMEOUT_MS} passes. Returns the answer, {@link Status#DOWN} if the node is not running, or null
     * if no answer came in time.
     */
    private Object submit(int node, KvRequest request) {
        SimNode target = sim.node(node);
        if (!target.isUp()) {
            return Status.DOWN;
        }
        // Like the server: a node that is not master forwards writes and ordered reads to the master it knows of.
        boolean ordered = !(request instanceof KvRequest.Get get && get.consistency() == Consistency.STALE)
                && !(request instanceof KvRequest.ListPrefix list && list.consistency() == Consistency.STALE);
        int master = target.mastership().master();
        if (ordered && master >= 0 && master != node && sim.linked(node, master)) {
            target = sim.node(master);
        }
        Object[] answer = new Object[1];
        target.submit(request, given -> {
            if (answer[0] == null) {
                answer[0] = given;
            }
        });
        run(sim.now() + REQUEST_TIMEOUT_MS, () -> answer[0] != null);
        return answer[0];
    }

    private void advance(long time) {
        run(time, () -> false);
    }

    private void run(long time, BooleanSupplier done) {
        if (failure != null) {
            throw failure;
        }
        try {
            sim.runUntil(time, done);
        } catch (SimFailure violation) {
            throw fail(violation);
        } catch (InvariantViolation violation) {
            throw fail("invariant: " + violation.getMessage());
        }
    }

    private AssertionError fail(SimFailure violation) {
        return fail("checker " + violation.checker() + ": " + violation.getMessage());
    }

    /** Remembers the first failure: once a checker failed, every later call fails the same way. */
    private AssertionError fail(String message) {
        if (failure == null) {
            failure = new AssertionError(message + "\n" + describe() + "\nlast events:\n  "
                    + String.join("\n  ", sim.lastEvents()));
        }
        return failure;
    }

    private String nodesReport() {
        StringBuilder report = new StringBuilder("nodes:");
        for (int node = 0; node < size(); node++) {
            SimNode target = sim.node(node);
            report.append(" [").append(node).append(' ');
            if (target.dead) {
                report.append("dead: ").append(target.deathReason);
            } else if (!target.isUp()) {
                report.append("down");
            } else {
                report.append("committed ").append(target.replica.status().committed()).append(" applied ")
                        .append(target.replica.appliedSlot());
            }
            report.append(']');
        }
        return report.toString();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
