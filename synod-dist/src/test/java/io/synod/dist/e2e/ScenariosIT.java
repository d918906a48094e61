package io.synod.dist.e2e;

import io.synod.sim.scenario.Scenarios;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scenarios of {@link Scenarios}, written once against {@code ScenarioCluster}, on three real {@code synod server}
 * processes: kills are SIGKILL, stops SIGTERM, time is wall time. The same scenarios run for many seeds on the
 * simulator in synod-sim's {@code ScenariosOnSimulatorTest}. Each test gets fresh data dirs; every process is
 * destroyed after it whatever happened ({@link ClusterTestBase}), and a failure prints every node's log tail.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ScenariosIT extends ClusterTestBase {
    /** The nodes answer a write that cannot finish (504) well before the client gives up on the request. */
    private static final long NODE_REQUEST_TIMEOUT_MS = 3_000;

    private ProcessScenarioCluster processCluster() {
        newCluster(3, List.of("--request-timeout-ms", Long.toString(NODE_REQUEST_TIMEOUT_MS)));
        return new ProcessScenarioCluster(cluster, Duration.ofMillis(4 * NODE_REQUEST_TIMEOUT_MS));
    }

    /** Seed 001: a node that was down misses slots, comes back, catches up from any peer and serves the same values. */
    @Test
    void catchUp() {
        try (ProcessScenarioCluster scenarioCluster = processCluster()) {
            Scenarios.catchUp(scenarioCluster);
        }
    }

    /** Acknowledged writes survive kill -9 of a node and then of a majority; every node converges. */
    @Test
    void killAndRestart() {
        try (ProcessScenarioCluster scenarioCluster = processCluster()) {
            Scenarios.killAndRestart(scenarioCluster);
        }
    }
}
