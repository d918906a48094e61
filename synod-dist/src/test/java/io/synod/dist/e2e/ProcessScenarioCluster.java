package io.synod.dist.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.synod.replica.kv.KvRequest.Consistency;
import io.synod.sim.scenario.ScenarioCluster;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@link ScenarioCluster} on real {@code synod server} processes: a {@link ProcessCluster} (each node a JVM from the
 * built jar, loopback ports, a data dir under the test's temporary directory, peers through {@link TcpProxy}s), driven
 * over the HTTP API. A kill is SIGKILL of the process; a stop is SIGTERM, after which the node's log must say it
 * stopped; isolating a node holds the bytes on its proxies. Time is wall time: {@link #await} polls with a deadline.
 *
 * <p>Closing it kills every process; the owning test closes the {@link ProcessCluster} (processes and proxies) in its
 * {@code @AfterEach} whatever happened.
 */
final class ProcessScenarioCluster implements ScenarioCluster {
    /** How often {@link #await} evaluates its condition. */
    private static final long POLL_MS = 100;

    private final ProcessCluster processes;
    private final NodeClient[] clients;
    private final int[] cleanStops;

    /**
     * @param processes a cluster with no node running; its nodes should be started with a {@code --request-timeout-ms}
     *     well below {@code requestTimeout}, so that the node, not this client, answers a write that cannot finish
     * @param requestTimeout how long a request waits for its HTTP answer before it counts as {@link Status#UNKNOWN}
     */
    ProcessScenarioCluster(ProcessCluster processes, Duration requestTimeout) {
        this.processes = processes;
        this.clients = new NodeClient[processes.size()];
        this.cleanStops = new int[processes.size()];
        for (int node = 0; node < clients.length; node++) {
            clients[node] = new NodeClient(processes.url(node), requestTimeout);
        }
    }

    @Override
    public int size() {
        return processes.size();
    }

    @Override
    public void start(int node) {
        if (processes.isRunning(node)) {
            throw new AssertionError("node " + node + " is running already");
        }
        processes.start(node);
    }

    @Override
    public void kill(int node) {
        processes.kill(node);
    }

    @Override
    public void stop(int node) {
        if (!processes.isRunning(node)) {
            return;
        }
        processes.stop(node);
        cleanStops[node]++;
        String line = "node " + node + " stopped";
        long said = processes.log(node).lines().filter(text -> text.endsWith(line)).count();
        if (said < cleanStops[node]) {
            throw new AssertionError("node " + node + " was stopped with SIGTERM " + cleanStops[node]
                    + " times but its log says '" + line + "' " + said + " times; it ends with:\n"
                    + processes.logTail(node, 30));
        }
    }

    @Override
    public boolean isRunning(int node) {
        return processes.isRunning(node);
    }

    @Override
    public void isolate(int node) {
        processes.partition(node);
    }

    @Override
    public void heal() {
        processes.heal();
    }

    @Override
    public Reply put(int node, String key, String value, String idempotencyKey) {
        return write(node, "PUT", key, value, idempotencyKey);
    }

    @Override
    public Reply delete(int node, String key, String idempotencyKey) {
        return write(node, "DELETE", key, null, idempotencyKey);
    }

    private Reply write(int node, String method, String key, String value, String idempotencyKey) {
        if (!processes.isRunning(node)) {
            return new Reply(Status.DOWN, null, 0, -1);
        }
        String[] headers = idempotencyKey == null ? new String[0] : new String[] {"Idempotency-Key", idempotencyKey};
        NodeClient.Reply reply;
        try {
            reply = clients[node].send(method, "/v1/kv/" + key,
                    value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
        } catch (UncheckedIOException failed) {
            return new Reply(failed.getCause() instanceof ConnectException ? Status.DOWN : Status.UNKNOWN, null, 0, -1);
        }
        return switch (reply.status()) {
            case 200 -> {
                JsonNode body = reply.json();
                boolean existed = !body.has("deleted") || body.get("deleted").asBoolean();
                yield new Reply(existed ? Status.OK : Status.ABSENT, null, body.get("version").asLong(),
                        body.get("slot").asLong());
            }
            case 503, 507 -> new Reply(Status.REFUSED, null, 0, -1);
            case 504 -> new Reply(Status.UNKNOWN, null, 0, -1);
            default -> throw new AssertionError(method + " " + key + " on node " + node + " answered " + reply);
        };
    }

    @Override
    public Reply get(int node, String key, Consistency consistency, long minSlot) {
        if (!processes.isRunning(node)) {
            return new Reply(Status.DOWN, null, 0, -1);
        }
        String query = "?consistency=" + consistency.name().toLowerCase(Locale.ROOT)
                + (minSlot < 0 ? "" : "&min-slot=" + minSlot);
        NodeClient.Reply reply;
        try {
            reply = clients[node].get("/v1/kv/" + key + query);
        } catch (UncheckedIOException failed) {
            return new Reply(failed.getCause() instanceof ConnectException ? Status.DOWN : Status.UNKNOWN, null, 0, -1);
        }
        // X-Synod-Slot is the highest applied slot; the contract's slot is the applied index, one above it.
        long applied = reply.header("X-Synod-Slot").map(Long::parseLong).orElse(-2L) + 1;
        return switch (reply.status()) {
            case 200 -> new Reply(Status.OK, reply.text(), version(reply), applied);
            case 404 -> new Reply(Status.ABSENT, null, 0, applied);
            case 503, 507 -> new Reply(Status.REFUSED, null, 0, -1);
            case 504 -> new Reply(Status.UNKNOWN, null, 0, -1);
            default -> throw new AssertionError("GET " + key + query + " on node " + node + " answered " + reply);
        };
    }

    private static long version(NodeClient.Reply reply) {
        String etag = reply.header("ETag").orElseThrow(() -> new AssertionError("a read without an ETag: " + reply));
        return Long.parseLong(etag.replace("\"", ""));
    }

    @Override
    public Optional<SortedMap<String, Versioned>> list(int node, String prefix) {
        if (!processes.isRunning(node)) {
            return Optional.empty();
        }
        NodeClient.Reply reply;
        try {
            reply = clients[node].get("/v1/kv?consistency=stale&limit=10000&prefix=" + prefix);
        } catch (UncheckedIOException failed) {
            return Optional.empty();
        }
        if (reply.status() == 503 || reply.status() == 504) {
            return Optional.empty();
        }
        if (reply.status() != 200) {
            throw new AssertionError("a listing of '" + prefix + "' on node " + node + " answered " + reply);
        }
        SortedMap<String, Versioned> listing = new TreeMap<>();
        for (JsonNode item : reply.json().get("items")) {
            listing.put(item.get("key").asText(), new Versioned(item.get("value").asText(),
                    item.get("version").asLong()));
        }
        if (listing.size() >= 10_000) {
            throw new AssertionError("node " + node + " holds 10 000 keys or more under '" + prefix + "'");
        }
        return Optional.of(listing);
    }

    @Override
    public Optional<Slots> status(int node) {
        if (!processes.isRunning(node)) {
            return Optional.empty();
        }
        try {
            NodeClient.Reply reply = clients[node].get("/v1/status");
            if (reply.status() != 200) {
                return Optional.empty();
            }
            JsonNode slots = reply.json().get("slots");
            return Optional.of(new Slots(slots.get("committed").asLong(), slots.get("applied").asLong()));
        } catch (UncheckedIOException failed) {
            return Optional.empty();
        }
    }

    @Override
    public void await(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder nodes = new StringBuilder();
                for (int node = 0; node < size(); node++) {
                    nodes.append(" [").append(node).append(' ').append(status(node).map(Object::toString)
                            .orElse(processes.isRunning(node) ? "not answering" : "down")).append(']');
                }
                throw new AssertionError(what + ": not within " + within + "; nodes:" + nodes);
            }
            ProcessCluster.sleep(POLL_MS);
        }
    }

    @Override
    public void pass(Duration duration) {
        ProcessCluster.sleep(TimeUnit.NANOSECONDS.toMillis(duration.toNanos()));
    }

    /** Kills every node that runs; the {@link ProcessCluster} itself (its proxies) is closed by its owner. */
    @Override
    public void close() {
        for (int node = 0; node < size(); node++) {
            try {
                processes.kill(node);
            } catch (RuntimeException | AssertionError stuck) {
                System.err.println("node " + node + " did not die: " + stuck);
            }
        }
    }
}
