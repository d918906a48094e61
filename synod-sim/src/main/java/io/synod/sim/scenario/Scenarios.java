package io.synod.sim.scenario;

import io.synod.replica.kv.KvRequest.Consistency;
import io.synod.sim.scenario.ScenarioCluster.Reply;
import io.synod.sim.scenario.ScenarioCluster.Slots;
import io.synod.sim.scenario.ScenarioCluster.Status;
import io.synod.sim.scenario.ScenarioCluster.Versioned;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Scenarios written once against {@link ScenarioCluster}, run on the simulator and on real processes. Each is a
 * script of faults and requests that checks real outcomes: a failed check throws {@link AssertionError} saying what
 * was expected and what the cluster did. They work for any odd cluster size {@code n = 2f + 1 >= 3}, on a cluster with
 * empty data dirs and no node running.
 */
public final class Scenarios {
    /** How long a scenario gives the cluster to do something it must do (elect, catch up, converge). */
    static final Duration PATIENCE = Duration.ofSeconds(60);
    /** The pause between two attempts of a write that was not acknowledged. */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

    private final ScenarioCluster cluster;
    private final String name;
    private int requests;

    private Scenarios(ScenarioCluster cluster, String name) {
        this.cluster = cluster;
        this.name = name;
        int size = cluster.size();
        check(size >= 3 && size % 2 == 1, "a scenario needs an odd cluster of at least 3 nodes, not %d", size);
        for (int node = 0; node < size; node++) {
            check(!cluster.isRunning(node), "a scenario starts on a cluster with no node running; node %d runs", node);
        }
    }

    /**
     * Seed 001's catch-up scenario ("Sample execution"), in key-value form. A bare majority (nodes 0..f) starts and
     * node 0 writes the seed's four commands. Node 0 goes down. The other nodes (the seed's node 2) come up for the
     * first time with empty data dirs and catch up from the peers that are up, learning values they never voted on;
     * then they serve the same values and versions. A write through one of them ({@code i = 42}, the seed's round 4)
     * is chosen without node 0. Node 0 comes back with stale state, catches up, and every node converges to the same
     * applied index and the same keys, values and versions. Then the seed's network split: the last node is cut off,
     * a write is acknowledged without it, and a read there that carries the write's slot ({@code min-slot}) is not
     * answered from the older state; after healing, the node serves the write. Last, a clean stop and restart of node
     * 1 keeps everything, and a write made while it was stopped reaches it.
     */
    public static void catchUp(ScenarioCluster cluster) {
        new Scenarios(cluster, "catch-up").runCatchUp();
    }

    /**
     * Acknowledged writes survive kill -9, of one node and then of a majority at once. All nodes start and take
     * writes through every node. Node 0 is killed; writes through the others are acknowledged without it; it restarts
     * and catches up. Then right after more acknowledged writes and deletes, a majority (nodes 0..f) is killed at
     * once: the survivors must acknowledge nothing. The majority restarts from its disks; the writes acknowledged
     * before the kill are read back linearizably, new writes are acknowledged, and every node converges to the same
     * applied index and holds exactly the acknowledged writes, with the versions their answers named.
     */
    public static void killAndRestart(ScenarioCluster cluster) {
        new Scenarios(cluster, "kill-and-restart").runKillAndRestart();
    }

    // ----- catch-up (seed 001) -----

    private void runCatchUp() {
        int size = cluster.size();
        int f = size / 2;
        for (int node = 0; node <= f; node++) {
            cluster.start(node);
        }
        Map<String, Reply> first = seedCommandsThroughNodeZero(f);
        cluster.kill(0);
        lateNodesCatchUp(range(f + 1, size - 1), first);
        Reply fortyTwo = writeWithoutNodeZero(size - 1, first);
        nodeZeroComesBack(fortyTwo);
        splitAndHeal(size - 1);
        cleanStopAndRestart(1);
    }

    /** The seed's four commands, as writes of two keys through node 0. Returns the answers of li's last and i's. */
    private Map<String, Reply> seedCommandsThroughNodeZero(int f) {
        Map<String, Reply> first = new LinkedHashMap<>();
        writeAcknowledged(0, "li", "[]");
        writeAcknowledged(0, "li", "[1, 2]");
        first.put("li", writeAcknowledged(0, "li", "[1, 2, 3, 4]"));
        first.put("i", writeAcknowledged(0, "i", "0"));
        check(first.get("i").version() > first.get("li").version(), "versions grow: %s", first);
        awaitApplied(range(0, f), lastSlot(first));
        SortedMap<String, Versioned> held = expectListing(0, Map.of("li", "[1, 2, 3, 4]", "i", "0"));
        check(held.get("i").version() == first.get("i").version(),
                "node 0 holds i at the version its write was answered with: %s, answer %s", held, first);
        return first;
    }

    /**
     * The late nodes never saw a slot: with node 0 down they learn every one from the peers that are up, then hold
     * and serve the same keys, values and versions.
     */
    private void lateNodesCatchUp(List<Integer> late, Map<String, Reply> first) {
        for (int node : late) {
            cluster.start(node);
        }
        awaitApplied(late, lastSlot(first));
        for (int node : late) {
            SortedMap<String, Versioned> held = listing(node);
            check(held.keySet().equals(Set.of("li", "i")) && held.get("li").equals(new Versioned("[1, 2, 3, 4]",
                    first.get("li").version())) && held.get("i").equals(new Versioned("0", first.get("i").version())),
                    "late node %d after catching up holds %s; the writes were answered %s", node, held, first);
            Reply read = readDefinite(node, "li", Consistency.STALE);
            check(read.status() == Status.OK && read.value().equals("[1, 2, 3, 4]")
                    && read.version() == first.get("li").version(), "late node %d reads li as %s", node, read);
        }
    }

    /** The seed's round 4: {@code i = 42} through a late node, chosen without node 0. */
    private Reply writeWithoutNodeZero(int writer, Map<String, Reply> first) {
        Reply fortyTwo = writeAcknowledged(writer, "i", "42");
        check(fortyTwo.slot() > lastSlot(first), "the write through late node %d took slot %d, after %d", writer,
                fortyTwo.slot(), lastSlot(first));
        check(fortyTwo.version() > first.get("i").version(), "i's version grows: %s after %s", fortyTwo,
                first.get("i"));
        Reply read = readDefinite(writer, "i", Consistency.LINEARIZABLE);
        check(read.status() == Status.OK && read.value().equals("42") && read.version() == fortyTwo.version(),
                "node %d reads back i = 42 at version %d: %s", writer, fortyTwo.version(), read);
        return fortyTwo;
    }

    /** Node 0 comes back with stale state, catches up, and every node converges to the same state. */
    private void nodeZeroComesBack(Reply fortyTwo) {
        cluster.start(0);
        awaitApplied(List.of(0), fortyTwo.slot());
        long applied = awaitConverged(range(0, cluster.size() - 1));
        check(applied > fortyTwo.slot(), "converged at %d, which includes slot %d", applied, fortyTwo.slot());
        SortedMap<String, Versioned> converged = expectListing(0, Map.of("li", "[1, 2, 3, 4]", "i", "42"));
        check(converged.get("i").version() == fortyTwo.version(), "node 0 holds i at version %d: %s",
                fortyTwo.version(), converged);
        expectSameEverywhere(converged);
    }

    /**
     * The seed's "Network splits": a node cut off from the majority falls behind. A client that carries a write's
     * slot is not shown the older state there; once the split heals, the node catches up and serves the write.
     */
    private void splitAndHeal(int split) {
        cluster.isolate(split);
        Reply afterSplit = writeAcknowledged(0, "split", "after the split");
        Reply behind = cluster.get(split, "split", Consistency.STALE, afterSplit.slot());
        check(behind.status() == Status.UNKNOWN || behind.status() == Status.REFUSED,
                "node %d, cut off, answered a read at min-slot %d with %s", split, afterSplit.slot(), behind);
        cluster.heal();
        Reply healed = awaitRead(split, "split", afterSplit.slot());
        check(healed.value().equals("after the split") && healed.version() == afterSplit.version(),
                "node %d after the split healed reads %s", split, healed);
    }

    /** A clean stop and restart keeps everything, and a write made while the node was stopped reaches it. */
    private void cleanStopAndRestart(int node) {
        cluster.stop(node);
        String value = "while node " + node + " was stopped";
        Reply whileStopped = writeAcknowledged(0, "stopped", value);
        cluster.start(node);
        Reply onRestarted = awaitRead(node, "stopped", whileStopped.slot());
        check(onRestarted.value().equals(value) && onRestarted.version() == whileStopped.version(),
                "node %d after a clean restart reads %s", node, onRestarted);
        awaitConverged(range(0, cluster.size() - 1));
        SortedMap<String, Versioned> end = expectListing(0, Map.of("li", "[1, 2, 3, 4]", "i", "42", "split",
                "after the split", "stopped", value));
        expectSameEverywhere(end);
    }

    private static long lastSlot(Map<String, Reply> writes) {
        return writes.values().stream().mapToLong(Reply::slot).max().orElseThrow();
    }

    // ----- kill and restart -----

    private void runKillAndRestart() {
        int size = cluster.size();
        int f = size / 2;
        List<Integer> all = range(0, size - 1);
        for (int node : all) {
            cluster.start(node);
        }
        Map<String, Reply> acknowledged = new TreeMap<>();
        for (int i = 0; i < 2 * size; i++) {
            acknowledged.put("kill/a/" + i, writeAcknowledged(i % size, "kill/a/" + i, "a" + i));
        }
        awaitConverged(all);

        // One node down: the others are a majority and acknowledge writes without it.
        cluster.kill(0);
        for (int i = 0; i < 2 * size; i++) {
            int through = 1 + i % (size - 1);
            acknowledged.put("kill/b/" + i, writeAcknowledged(through, "kill/b/" + i, "b" + i));
        }
        cluster.start(0);
        awaitConverged(all);
        expectAcknowledged(all, acknowledged, Map.of());

        // Writes acknowledged just before a majority dies at once must survive it, deletes included.
        Reply deleted = deleteAcknowledged(1, "kill/a/0");
        check(deleted.status() == Status.OK, "deleting kill/a/0, which exists, answered %s", deleted);
        acknowledged.remove("kill/a/0");
        Reply nothing = deleteAcknowledged(2 % size, "kill/never-written");
        check(nothing.status() == Status.ABSENT, "deleting a key never written answered %s", nothing);
        for (int i = 0; i < size; i++) {
            acknowledged.put("kill/c/" + i, writeAcknowledged(i, "kill/c/" + i, "c" + i));
        }
        List<Integer> majority = range(0, f);
        for (int node : majority) {
            cluster.kill(node);
        }
        int survivor = size - 1;
        Reply minority = cluster.put(survivor, "kill/minority", "m", nextIdempotencyKey());
        check(!minority.applied(), "node %d acknowledged a write with a majority down: %s", survivor, minority);
        Map<String, String> maybe = minority.neverApplied() ? Map.of() : Map.of("kill/minority", "m");

        for (int node : majority) {
            cluster.start(node);
        }
        String lastKey = "kill/c/" + (size - 1);
        Reply last = acknowledged.get(lastKey);
        for (int node : all) {
            // A linearizable read on each node must see the last write acknowledged before the kill.
            cluster.await("node " + node + " reads " + lastKey + " linearizably after the majority restarted",
                    PATIENCE, () -> {
                        Reply read = cluster.get(node, lastKey, Consistency.LINEARIZABLE);
                        if (read.status() == Status.ABSENT) {
                            throw new AssertionError(name + ": node " + node + " answers the acknowledged write "
                                    + lastKey + " absent after the majority restarted: " + read);
                        }
                        return read.status() == Status.OK;
                    });
        }
        for (int i = 0; i < size; i++) {
            acknowledged.put("kill/d/" + i, writeAcknowledged(i, "kill/d/" + i, "d" + i));
        }
        awaitConverged(all);
        expectAcknowledged(all, acknowledged, maybe);
    }

    /**
     * Every node holds exactly the acknowledged keys under {@code kill/} with their values and the versions their
     * answers named, plus perhaps the writes in {@code maybe} (answered unknown), the same on every node.
     */
    private void expectAcknowledged(List<Integer> nodes, Map<String, Reply> acknowledged, Map<String, String> maybe) {
        SortedMap<String, Versioned> reference = null;
        for (int node : nodes) {
            SortedMap<String, Versioned> held = listing(node, "kill/");
            for (Map.Entry<String, Reply> write : acknowledged.entrySet()) {
                Versioned entry = held.get(write.getKey());
                String expected = write.getKey().substring("kill/".length()).replace("/", "");
                check(entry != null && entry.value().equals(expected) && entry.version() == write.getValue().version(),
                        "node %d holds acknowledged %s = %s (version %d) as %s", node, write.getKey(), expected,
                        write.getValue().version(), entry);
            }
            for (String key : held.keySet()) {
                check(acknowledged.containsKey(key) || maybe.containsKey(key),
                        "node %d holds %s, which no write acknowledged or left unknown", node, key);
            }
            if (reference == null) {
                reference = held;
            } else {
                check(held.equals(reference), "node %d holds %s, node %d holds %s", node, held, nodes.get(0),
                        reference);
            }
        }
    }

    // ----- helpers -----

    /**
     * Puts until node {@code node} acknowledges it, retrying under one idempotency key (applied at most once) while it
     * is refused, unknown or down. Returns the acknowledgement (of the first application).
     */
    private Reply writeAcknowledged(int node, String key, String value) {
        String idempotencyKey = nextIdempotencyKey();
        Reply[] last = new Reply[1];
        cluster.await(name + ": node " + node + " acknowledges put " + key + " = " + value, PATIENCE, () -> {
            last[0] = cluster.put(node, key, value, idempotencyKey);
            if (last[0].applied()) {
                return true;
            }
            cluster.pass(RETRY_PAUSE);
            return false;
        });
        check(last[0].status() == Status.OK && last[0].slot() >= 0 && last[0].version() > 0,
                "put %s on node %d answered %s", key, node, last[0]);
        return last[0];
    }

    /** Deletes until node {@code node} acknowledges it, as {@link #writeAcknowledged} puts. */
    private Reply deleteAcknowledged(int node, String key) {
        String idempotencyKey = nextIdempotencyKey();
        Reply[] last = new Reply[1];
        cluster.await(name + ": node " + node + " acknowledges delete " + key, PATIENCE, () -> {
            last[0] = cluster.delete(node, key, idempotencyKey);
            if (last[0].applied()) {
                return true;
            }
            cluster.pass(RETRY_PAUSE);
            return false;
        });
        check(last[0].slot() >= 0 && last[0].version() > 0, "delete %s on node %d answered %s", key, node, last[0]);
        return last[0];
    }

    private String nextIdempotencyKey() {
        return name + "-" + (++requests);
    }

    /** Waits until every node of {@code nodes} has applied {@code slot}. */
    private void awaitApplied(List<Integer> nodes, long slot) {
        for (int node : nodes) {
            cluster.await(name + ": node " + node + " applies slot " + slot, PATIENCE,
                    () -> cluster.status(node).map(s -> s.applied() > slot).orElse(false));
        }
    }

    /**
     * Waits until every node of {@code nodes} has committed and applied the same slots, twice in a row; returns that
     * applied index.
     */
    private long awaitConverged(List<Integer> nodes) {
        long[] seen = {-1, -1};
        List<Optional<Slots>> statuses = new ArrayList<>();
        cluster.await(name + ": nodes " + nodes + " converge", PATIENCE, () -> {
            statuses.clear();
            for (int node : nodes) {
                statuses.add(cluster.status(node));
            }
            long applied = statuses.get(0).map(Slots::applied).orElse(-1L);
            boolean same = applied > 0 && statuses.stream().allMatch(status -> status.isPresent()
                    && status.get().applied() == applied && status.get().committed() == applied);
            seen[0] = seen[1];
            seen[1] = same ? applied : -1;
            return same && seen[0] == seen[1];
        });
        return seen[1];
    }

    /**
     * Reads {@code key} on node {@code node} until it answers definitely ({@link Status#OK} or {@link Status#ABSENT}):
     * an ordered read may time out while messages are lost.
     */
    private Reply readDefinite(int node, String key, Consistency consistency) {
        Reply[] last = new Reply[1];
        cluster.await(name + ": node " + node + " answers a " + consistency + " read of " + key, PATIENCE, () -> {
            last[0] = cluster.get(node, key, consistency);
            return last[0].status() == Status.OK || last[0].status() == Status.ABSENT;
        });
        return last[0];
    }

    /** Waits until node {@code node} answers a stale read of {@code key} at min-slot {@code slot} with a value. */
    private Reply awaitRead(int node, String key, long slot) {
        Reply[] last = new Reply[1];
        cluster.await(name + ": node " + node + " reads " + key + " once it has applied slot " + slot, PATIENCE,
                () -> {
                    last[0] = cluster.get(node, key, Consistency.STALE, slot);
                    check(last[0].status() != Status.ABSENT, "node %d has applied slot %d, but %s is absent there",
                            node, slot, key);
                    return last[0].status() == Status.OK;
                });
        return last[0];
    }

    /** Node {@code node}'s whole listing must hold exactly {@code expected} (values); returns it with versions. */
    private SortedMap<String, Versioned> expectListing(int node, Map<String, String> expected) {
        SortedMap<String, Versioned> held = listing(node);
        Map<String, String> values = new TreeMap<>();
        held.forEach((key, entry) -> values.put(key, entry.value()));
        check(values.equals(new TreeMap<>(expected)), "node %d holds %s, expected %s", node, held, expected);
        return held;
    }

    /** Every node's whole listing equals {@code expected}, versions included. */
    private void expectSameEverywhere(SortedMap<String, Versioned> expected) {
        for (int node = 0; node < cluster.size(); node++) {
            SortedMap<String, Versioned> held = listing(node);
            check(held.equals(expected), "node %d holds %s, expected %s", node, held, expected);
        }
    }

    private SortedMap<String, Versioned> listing(int node) {
        return listing(node, "");
    }

    private SortedMap<String, Versioned> listing(int node, String prefix) {
        Optional<SortedMap<String, Versioned>> listing = cluster.list(node, prefix);
        check(listing.isPresent(), "node %d does not answer a listing", node);
        return listing.get();
    }

    private static List<Integer> range(int from, int toInclusive) {
        List<Integer> nodes = new ArrayList<>();
        for (int node = from; node <= toInclusive; node++) {
            nodes.add(node);
        }
        return nodes;
    }

    private void check(boolean holds, String format, Object... args) {
        if (!holds) {
            throw new AssertionError(name + ": " + String.format(format, args));
        }
    }
}
