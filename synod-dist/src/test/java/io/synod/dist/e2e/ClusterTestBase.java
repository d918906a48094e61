package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the multi-process tests share: a {@link ProcessCluster} under a temporary directory, destroyed after each test
 * (whatever happened), the tail of every node's log printed when a test fails, and waiting helpers.
 */
@ExtendWith(ClusterTestBase.PrintLogsOnFailure.class)
abstract class ClusterTestBase {
    @TempDir
    Path dir;

    ProcessCluster cluster;

    ProcessCluster newCluster(int size, List<String> extraArgs) {
        cluster = new ProcessCluster(dir, size, extraArgs);
        return cluster;
    }

    @AfterEach
    void destroyCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    NodeClient node(int id) {
        return cluster.client(id);
    }

    /** Prints the tail of every node's log when the test failed, before the cluster is destroyed. */
    static final class PrintLogsOnFailure implements AfterTestExecutionCallback {
        @Override
        public void afterTestExecution(ExtensionContext context) {
            if (context.getExecutionException().isEmpty()) {
                return;
            }
            Object test = context.getRequiredTestInstance();
            if (test instanceof ClusterTestBase base && base.cluster != null) {
                StringBuilder out = new StringBuilder();
                out.append("\n===== ").append(context.getDisplayName()).append(" failed: node logs =====\n");
                for (int i = 0; i < base.cluster.size(); i++) {
                    out.append("----- node ").append(i).append(" (").append(base.cluster.logFile(i)).append(")\n");
                    out.append(base.cluster.logTail(i, 60)).append('\n');
                }
                System.err.println(out);
            }
        }
    }

    /**
     * PUTs until the node answers 200, retrying with one idempotency key (so the write is applied at most once) on a
     * 503, a 504 or a connection failure. Returns the slot.
     */
    static long putEventually(NodeClient node, String key, String value, Duration within) {
        return putEventuallyAnswer(node, key, value, within).get("slot").asLong();
    }

    /** Like {@link #putEventually}, returning the whole answer ({@code {"slot":N,"version":V}}). */
    static JsonNode putEventuallyAnswer(NodeClient node, String key, String value, Duration within) {
        String idempotencyKey = "retry-" + UUID.randomUUID();
        long deadline = System.nanoTime() + within.toNanos();
        String last = "nothing";
        while (System.nanoTime() < deadline) {
            try {
                NodeClient.Reply reply = node.put(key, value, "Idempotency-Key", idempotencyKey);
                if (reply.status() == 200) {
                    return reply.json();
                }
                if (reply.status() != 503 && reply.status() != 504) {
                    throw new AssertionError("PUT " + key + " on " + node.base() + " answered " + reply);
                }
                last = reply.toString();
            } catch (UncheckedIOException down) {
                last = down.getMessage();
            }
            ProcessCluster.sleep(100);
        }
        throw new AssertionError("PUT " + key + " on " + node.base() + " did not succeed within " + within
                + "; last answer: " + last);
    }

    /** The applied index of every given node, once they are all equal (and stay so for two reads). */
    long awaitSameApplied(List<Integer> ids, Duration within) {
        long[] result = new long[1];
        await().atMost(within).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(
                UncheckedIOException.class).untilAsserted(() -> {
                    List<Long> applied = new ArrayList<>();
                    List<Long> committed = new ArrayList<>();
                    for (int id : ids) {
                        JsonNode slots = node(id).status().get("slots");
                        applied.add(slots.get("applied").asLong());
                        committed.add(slots.get("committed").asLong());
                    }
                    assertThat(applied).as("applied per node %s (committed %s)", ids, committed)
                            .containsOnly(applied.get(0));
                    assertThat(committed).as("committed per node %s", ids).containsOnly(applied.get(0));
                    result[0] = applied.get(0);
                });
        return result[0];
    }

    /**
     * Waits until every running node but {@code not} names the same master, a running node other than {@code not}
     * that says it is master (role {@code master}); returns its id.
     */
    int awaitMaster(Duration within, int not) {
        int[] master = {-1};
        await().atMost(within).pollInterval(Duration.ofMillis(20)).ignoreExceptionsInstanceOf(
                UncheckedIOException.class).until(() -> {
                    int seen = -1;
                    for (int id = 0; id < cluster.size(); id++) {
                        if (id == not || !cluster.isRunning(id)) {
                            continue;
                        }
                        JsonNode named = node(id).status().get("master");
                        if (named == null || named.isNull() || (seen >= 0 && seen != named.asInt())) {
                            return false;
                        }
                        seen = named.asInt();
                    }
                    if (seen < 0 || seen == not || !cluster.isRunning(seen)
                            || !node(seen).status().get("role").asText().equals("master")) {
                        return false;
                    }
                    master[0] = seen;
                    return true;
                });
        return master[0];
    }

    /** Like {@link #awaitMaster(Duration, int)} with every node a candidate. */
    int awaitMaster(Duration within) {
        return awaitMaster(within, -1);
    }

    /** Key to value of a stale listing on one node. */
    static Map<String, String> listing(NodeClient node, String prefix) {
        NodeClient.Reply reply = node.get("/v1/kv?consistency=stale&limit=10000&prefix=" + prefix);
        assertThat(reply.status()).as("list %s on %s: %s", prefix, node.base(), reply).isEqualTo(200);
        Map<String, String> items = new LinkedHashMap<>();
        for (JsonNode item : reply.json().get("items")) {
            items.put(item.get("key").asText(), item.get("value").asText());
        }
        assertThat(items).as("a listing must stay below the limit to be complete").hasSizeLessThan(10_000);
        return items;
    }
}
