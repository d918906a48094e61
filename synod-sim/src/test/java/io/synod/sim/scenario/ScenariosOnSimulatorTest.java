package io.synod.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.replica.kv.KvRequest.Consistency;
import io.synod.sim.SimulatedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of {@link Scenarios} on the deterministic simulator, for fixed seeds: each seed picks the cluster size,
 * timings, batching, snapshots and the passive faults (loss, duplication, reordering, drift, fsync latency, torn
 * tails), and every checker runs after every event. The same scenarios run on real processes in synod-dist's
 * {@code ScenariosIT}.
 */
class ScenariosOnSimulatorTest {
    private static final int SEEDS = 100;

    @Test
    void catchUpPassesForFixedSeeds() {
        runForSeeds(Scenarios::catchUp);
    }

    @Test
    void killAndRestartPassesForFixedSeeds() {
        runForSeeds(Scenarios::killAndRestart);
    }

    @Test
    void aSeedReplaysExactly() {
        long[] times = new long[2];
        for (int run = 0; run < 2; run++) {
            try (SimulatedCluster cluster = new SimulatedCluster(7)) {
                Scenarios.killAndRestart(cluster);
                times[run] = cluster.nowMs() * 100_000 + cluster.operations();
            }
        }
        assertThat(times[1]).isEqualTo(times[0]);
    }

    /** The scenario's checks are real: a node that serves a stale listing after catching up fails it. */
    @Test
    void catchUpFailsOnANodeThatDoesNotServeTheCaughtUpValues() {
        try (SimulatedCluster real = new SimulatedCluster(1)) {
            ScenarioCluster stale = new Forwarding(real) {
                @Override
                public Optional<SortedMap<String, Versioned>> list(int node, String prefix) {
                    Optional<SortedMap<String, Versioned>> listing = super.list(node, prefix);
                    if (node != size() - 1 || listing.isEmpty()) {
                        return listing;
                    }
                    SortedMap<String, Versioned> forgetful = new TreeMap<>(listing.get());
                    forgetful.remove("li");
                    return Optional.of(forgetful);
                }
            };
            assertThatThrownBy(() -> Scenarios.catchUp(stale)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("late node " + (real.size() - 1));
        }
    }

    /** And a cluster whose acknowledged write is not really there (a lying answer) fails the kill scenario. */
    @Test
    void killAndRestartFailsWhenAnAcknowledgedWriteIsMissing() {
        try (SimulatedCluster real = new SimulatedCluster(2)) {
            ScenarioCluster lying = new Forwarding(real) {
                @Override
                public Reply put(int node, String key, String value, String idempotencyKey) {
                    if (key.equals("kill/c/1")) {
                        // Acknowledged without being sent anywhere: the write is lost.
                        return new Reply(Status.OK, null, 1, 0);
                    }
                    return super.put(node, key, value, idempotencyKey);
                }
            };
            assertThatThrownBy(() -> Scenarios.killAndRestart(lying)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("kill/c/1");
        }
    }

    private static void runForSeeds(Consumer<ScenarioCluster> scenario) {
        List<String> failures = new ArrayList<>();
        int operations = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            try (SimulatedCluster cluster = new SimulatedCluster(seed)) {
                try {
                    scenario.accept(cluster);
                    cluster.checkHistory();
                    operations += cluster.operations();
                } catch (AssertionError failure) {
                    failures.add(cluster.describe() + ": " + failure.getMessage());
                }
            }
        }
        assertThat(failures).as("failing seeds").isEmpty();
        assertThat(operations).as("the scenarios made requests").isGreaterThan(SEEDS * 5);
    }

    /** A cluster that forwards everything, for tests that break one answer. */
    private static class Forwarding implements ScenarioCluster {
        private final ScenarioCluster delegate;

        Forwarding(ScenarioCluster delegate) {
            this.delegate = delegate;
        }

        @Override
        public int size() {
            return delegate.size();
        }

        @Override
        public void start(int node) {
            delegate.start(node);
        }

        @Override
        public void kill(int node) {
            delegate.kill(node);
        }

        @Override
        public void stop(int node) {
            delegate.stop(node);
        }

        @Override
        public boolean isRunning(int node) {
            return delegate.isRunning(node);
        }

        @Override
        public void isolate(int node) {
            delegate.isolate(node);
        }

        @Override
        public void heal() {
            delegate.heal();
        }

        @Override
        public Reply put(int node, String key, String value, String idempotencyKey) {
            return delegate.put(node, key, value, idempotencyKey);
        }

        @Override
        public Reply delete(int node, String key, String idempotencyKey) {
            return delegate.delete(node, key, idempotencyKey);
        }

        @Override
        public Reply get(int node, String key, Consistency consistency, long minSlot) {
            return delegate.get(node, key, consistency, minSlot);
        }

        @Override
        public Optional<SortedMap<String, Versioned>> list(int node, String prefix) {
            return delegate.list(node, prefix);
        }

        @Override
        public Optional<Slots> status(int node) {
            return delegate.status(node);
        }

        @Override
        public void await(String what, Duration within, BooleanSupplier condition) {
            delegate.await(what, within, condition);
        }

        @Override
        public void pass(Duration duration) {
            delegate.pass(duration);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
