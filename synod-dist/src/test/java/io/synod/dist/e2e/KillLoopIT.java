package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Durability and replica consistency under crashes: while clients write distinct keys to random nodes, a random node
 * is killed with SIGKILL and restarted, 20 times. Every acknowledged write must then be on every node with its value,
 * and every node must reach the same applied slot.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class KillLoopIT extends ClusterTestBase {
    private static final int KILLS = 20;
    private static final int CLIENTS = 3;

    /** Acknowledged writes: key to value. */
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final AtomicInteger acks = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    /** Unacknowledged writes by what happened: an HTTP status, or "io" for a connection failure. */
    private final Map<String, AtomicInteger> failureKinds = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @Test
    void everyAcknowledgedWriteSurvivesTwentyKills() throws Exception {
        newCluster(3, List.of());
        for (int id = 0; id < 3; id++) {
            cluster.start(id);
        }
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread thread = new Thread(() -> writeLoop(client), "load-" + c);
            thread.setDaemon(true);
            thread.start();
            clients.add(thread);
        }
        try {
            awaitProgress(20, Duration.ofSeconds(60));
            Random random = new Random(ThreadLocalRandom.current().nextLong());
            List<Integer> victims = new ArrayList<>();
            for (int kill = 1; kill <= KILLS; kill++) {
                int victim = random.nextInt(3);
                victims.add(victim);
                cluster.kill(victim);
                cluster.start(victim);
                // The cluster must take writes again before the next kill, so there is never more than one node down
                // and every round kills a node that was part of the majority.
                awaitProgress(5, Duration.ofSeconds(60));
            }
            System.out.println("killed nodes " + victims + "; " + acks.get() + " writes acknowledged, "
                    + failures.get() + " not " + new TreeMap<>(failureKinds));
        } finally {
            running.set(false);
            for (Thread thread : clients) {
                thread.join(30_000);
            }
        }
        assertThat(acknowledged).as("the load made progress").hasSizeGreaterThan(100);

        long applied = awaitSameApplied(List.of(0, 1, 2), Duration.ofSeconds(90));
        assertThat(applied).isPositive();

        // Keys are load/<client>/<8 digits>: list them in buckets of 1000 to stay under the list limit.
        TreeSet<String> buckets = new TreeSet<>();
        for (String key : acknowledged.keySet()) {
            buckets.add(key.substring(0, key.length() - 3));
        }
        for (int c = 0; c < CLIENTS; c++) {
            buckets.add("load/" + c + "/"); // also catches writes that are on one node but not another
        }
        for (String bucket : buckets) {
            Map<String, String> first = null;
            for (int id = 0; id < 3; id++) {
                Map<String, String> items = listing(node(id), bucket);
                if (first == null) {
                    first = items;
                } else {
                    assertThat(items).as("node %d holds the same %s* as node 0", id, bucket).isEqualTo(first);
                }
            }
        }
        Map<String, String> expected = new TreeMap<>(acknowledged);
        for (int id = 0; id < 3; id++) {
            Map<String, String> all = new TreeMap<>();
            for (int c = 0; c < CLIENTS; c++) {
                all.putAll(listing(node(id), "load/" + c + "/"));
            }
            int node = id;
            expected.forEach((key, value) -> assertThat(all.get(key))
                    .as("acknowledged write %s on node %d", key, node).isEqualTo(value));
        }
        for (int id = 0; id < 3; id++) {
            assertThat(node(id).applied()).as("node %d", id).isEqualTo(applied);
        }
    }

    private void awaitProgress(int writes, Duration within) {
        int target = acks.get() + writes;
        await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> acks.get() >= target);
    }

    private void writeLoop(int client) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<NodeClient> nodes = new ArrayList<>();
        for (int id = 0; id < 3; id++) {
            nodes.add(new NodeClient(cluster.url(id), Duration.ofSeconds(10)));
        }
        for (int n = 0; running.get(); n++) {
            String key = String.format("load/%d/%08d", client, n);
            String value = Long.toHexString(random.nextLong());
            NodeClient node = nodes.get(random.nextInt(nodes.size()));
            try {
                NodeClient.Reply reply = node.put(key, value);
                if (reply.status() == 200) {
                    acknowledged.put(key, value);
                    acks.incrementAndGet();
                } else {
                    failures.incrementAndGet();
                    failureKinds.computeIfAbsent(Integer.toString(reply.status()), k -> new AtomicInteger())
                            .incrementAndGet();
                }
            } catch (UncheckedIOException down) {
                failures.incrementAndGet();
                failureKinds.computeIfAbsent("io", k -> new AtomicInteger()).incrementAndGet();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException stop) {
                return;
            }
        }
    }
}
