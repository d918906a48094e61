package io.synod.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.synod.core.NodeStatus;
import io.synod.core.StateMachine;
import io.synod.core.message.Message;
import io.synod.net.TransportListener;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A node's metrics, in Micrometer with the Prometheus registry ({@code GET /metrics}). Names follow Prometheus style
 * under {@code synod_}: proposals, slots committed and applied, fsync latency, batch sizes, messages in and out per
 * type, peer connection state, HTTP latency per method, route and status. Every metric has HELP text, and every gauge
 * reads a number: Micrometer holds a gauge's state weakly, so each gauge here is registered with a strong reference.
 * Thread-safe.
 */
final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter proposals;
    private final Timer fsync;
    private final DistributionSummary batchCommands;
    private final Counter appliedCommands;
    private final AtomicInteger diskFull = new AtomicInteger();
    private final Map<Integer, AtomicInteger> peerUp = new ConcurrentHashMap<>();
    private final Map<String, Timer> httpTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> messageCounters = new ConcurrentHashMap<>();
    /**
     * Where the status gauges read from. Micrometer holds a gauge's state object weakly; this field holds it
     * strongly, for as long as the metrics live (a lambda nobody else referenced was collected, and the gauges
     * read NaN).
     */
    private final Supplier<NodeStatus> status;

    /**
     * @param status the node's latest published status, never null once the node has started (the last one known
     *     while it is read-only)
     * @param applied the replica's applied slot (every slot below it is applied to the state machine)
     */
    Metrics(int nodeId, Supplier<NodeStatus> status, java.util.function.LongSupplier applied) {
        this.status = status;
        registry.config().commonTags("node", Integer.toString(nodeId));
        proposals = Counter.builder("synod_proposals").description("Commands proposed at this node")
                .register(registry);
        fsync = Timer.builder("synod_fsync").description("Time to make one group of records durable")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(2)).register(registry);
        batchCommands = DistributionSummary.builder("synod_batch_commands")
                .description("Commands per applied slot").publishPercentileHistogram().register(registry);
        appliedCommands = Counter.builder("synod_applied_commands").description("Commands applied to the state machine")
                .register(registry);
        statusGauge("synod_slots_committed", "Commit index: every slot below is known chosen",
                NodeStatus::committed);
        Gauge.builder("synod_slots_applied", applied, supplier -> supplier.getAsLong()).strongReference(true)
                .description("Every slot below is applied to the state machine here").register(registry);
        statusGauge("synod_slots_first_retained", "Slots below were compacted into a snapshot",
                NodeStatus::firstRetained);
        statusGauge("synod_pending_commands", "Commands waiting for a slot", NodeStatus::pendingCommands);
        Gauge.builder("synod_disk_full", diskFull, AtomicInteger::get).strongReference(true)
                .description("1 while the node is read-only because its disk is full").register(registry);
    }

    /** A gauge of one status field; 0 before the node's first status. */
    private void statusGauge(String name, String help, java.util.function.ToLongFunction<NodeStatus> field) {
        Gauge.builder(name, this, metrics -> {
            NodeStatus now = metrics.status.get();
            return now == null ? 0 : field.applyAsLong(now);
        }).strongReference(true).description(help).register(registry);
    }

    void proposed() {
        proposals.increment();
    }

    void diskFull(boolean full) {
        diskFull.set(full ? 1 : 0);
    }

    /** Wraps the storage's sync executor so every sync is timed. */
    Executor timedSync(Executor executor) {
        return task -> executor.execute(() -> fsync.record(task));
    }

    /** Wraps the state machine so applied commands and batch sizes are counted. */
    StateMachine counting(StateMachine machine) {
        return new StateMachine() {
            private long slot = -1;
            private int inSlot;

            @Override
            public byte[] apply(long commandSlot, byte[] command) {
                if (commandSlot != slot) {
                    if (slot >= 0) {
                        batchCommands.record(inSlot);
                    }
                    slot = commandSlot;
                    inSlot = 0;
                }
                inSlot++;
                appliedCommands.increment();
                return machine.apply(commandSlot, command);
            }

            @Override
            public Snapshot snapshot() {
                return machine.snapshot();
            }

            @Override
            public void restore(SnapshotSource source) {
                machine.restore(source);
            }
        };
    }

    /** Counts messages and peer state for the transport. */
    TransportListener transportListener() {
        return new TransportListener() {
            @Override
            public void peerConnected(int peer) {
                peerGauge(peer).set(1);
            }

            @Override
            public void peerDisconnected(int peer) {
                peerGauge(peer).set(0);
            }

            @Override
            public void messageSent(int peer, Class<? extends Message> type, int frameBytes) {
                messages("synod_messages_sent", "Protocol messages sent to peers, by type", type, null).increment();
            }

            @Override
            public void messageReceived(int peer, Class<? extends Message> type, int frameBytes) {
                messages("synod_messages_received", "Protocol messages received from peers, by type", type, null)
                        .increment();
            }

            @Override
            public void messageDropped(int peer, Class<? extends Message> type, DropReason reason) {
                messages("synod_messages_dropped", "Protocol messages dropped before sending, by type and reason",
                        type, reason).increment();
            }
        };
    }

    /** A message counter per name, type and reason, made once and kept (messages are counted on hot paths). */
    private Counter messages(String name, String help, Class<? extends Message> type,
            TransportListener.DropReason reason) {
        String key = name + " " + type.getSimpleName() + " " + reason;
        return messageCounters.computeIfAbsent(key, k -> {
            Counter.Builder builder = Counter.builder(name).description(help).tag("type", type.getSimpleName());
            if (reason != null) {
                builder.tag("reason", reason.name());
            }
            return builder.register(registry);
        });
    }

    private AtomicInteger peerGauge(int peer) {
        return peerUp.computeIfAbsent(peer, p -> {
            AtomicInteger up = new AtomicInteger();
            Gauge.builder("synod_peer_connected", up, AtomicInteger::get).tag("peer", Integer.toString(p))
                    .strongReference(true).description("1 while the connection to the peer is up")
                    .register(registry);
            return up;
        });
    }

    /** Records one HTTP request; a timer per method, route and status is made once and kept. */
    void http(String method, String route, int status, long nanos) {
        httpTimers.computeIfAbsent(method + " " + route + " " + status, key -> Timer.builder("synod_http_requests")
                        .description("HTTP requests answered, by method, route and status")
                        .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
                        .publishPercentileHistogram().register(registry))
                .record(Duration.ofNanos(nanos));
    }

    /** The Prometheus text format. */
    String scrape() {
        return registry.scrape();
    }
}
