package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.sim.history.Answer;
import io.synod.sim.history.Condition;
import io.synod.sim.history.History;
import io.synod.sim.history.LinearizabilityChecker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The master under fire, on three {@code synod server} processes with {@code --election paxoslease} and a 1 s lease:
 * (a) kill -9 of the master under concurrent writes and reads, again and again — each time another node becomes
 * master, no acknowledged write is lost and the whole history is linearizable; (b) a master frozen (SIGSTOP) for longer
 * than its lease, replaced, then thawed, must not answer a linearizable read with the value it had; (c) a master
 * stopped cleanly (SIGTERM) releases its lease, so another serves well within a lease.
 *
 * <p>The number of kills in (a) is {@code -Dsynod.failover.kills} (default 10).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MasterFailoverIT extends ClusterTestBase {
    private static final long LEASE_MS = 1_000;
    /** The election every node runs. */
    protected String election() {
        return "paxoslease";
    }

    /** How many kills (a): {@code -Dsynod.failover.kills}. */
    protected int kills() {
        return Integer.getInteger("synod.failover.kills", 10);
    }

    /** The longest a clean stop may leave the cluster without a master: a released lease is replaced at once. */
    protected long cleanStopBoundMs() {
        return LEASE_MS;
    }
    private static final String[] KEYS = {"fo/a", "fo/b", "fo/c"};
    private static final int CLIENTS = 4;
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(4);

    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Unique keys whose write was acknowledged (200): every one must be on every node at the end. */
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();

    private void startAll() {
        newCluster(3, List.of("--election", election(), "--lease-ms", Long.toString(LEASE_MS), "--max-drift-ms", "100",
                "--request-timeout-ms", "2000"));
        for (int id = 0; id < 3; id++) {
            cluster.start(id);
        }
    }

    @Test
    void killingTheMasterAgainAndAgainUnderLoadLosesNothingAndStaysLinearizable() throws Exception {
        int kills = kills();
        startAll();
        int master = awaitMaster(Duration.ofSeconds(30));
        History history = new History(System::nanoTime);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int process = c;
            long seed = ThreadLocalRandom.current().nextLong();
            Thread thread = new Thread(() -> clientLoop(history, process, new SplittableRandom(seed)), "client-" + c);
            thread.setDaemon(true);
            thread.start();
            clients.add(thread);
        }
        List<Long> takeoverMs = new ArrayList<>();
        try {
            for (int kill = 0; kill < kills; kill++) {
                ProcessCluster.sleep(700); // some writes under this master
                long started = System.nanoTime();
                cluster.kill(master);
                int next = awaitMaster(Duration.ofSeconds(20), master);
                takeoverMs.add((System.nanoTime() - started) / 1_000_000);
                assertThat(next).as("kill %d: a new master", kill).isNotEqualTo(master);
                cluster.start(master); // it comes back as a follower of the new master
                master = next;
            }
        } finally {
            running.set(false);
            for (Thread thread : clients) {
                thread.join(60_000);
            }
        }
        System.out.println(election() + ": kill -9 of the master, " + kills + " times: new master after " + takeoverMs
                + " ms; outcomes " + new java.util.TreeMap<>(outcomes));
        for (Thread thread : clients) {
            assertThat(thread.isAlive()).as("client %s finished", thread.getName()).isFalse();
        }
        assertThat(takeoverMs).allSatisfy(ms -> assertThat(ms).as("a lease, a little more to elect")
                .isLessThan(4 * LEASE_MS));
        awaitSameApplied(List.of(0, 1, 2), Duration.ofSeconds(60));
        for (int id = 0; id < 3; id++) {
            for (String key : KEYS) {
                read(history, 100 + id, node(id), key);
            }
            Map<String, String> present = listing(node(id), "fo/u/");
            assertThat(present.keySet()).as("node %d has every acknowledged write", id).containsAll(acknowledged);
        }
        assertThat(acknowledged).as("writes went through").hasSizeGreaterThan(20);
        LinearizabilityChecker.Result verdict = new LinearizabilityChecker().check(history.operations());
        assertThat(verdict.linearizable()).as(verdict.report()).isTrue();
        System.out.println(verdict.summary());
    }

    @Test
    void aFrozenMasterThatWakesAfterItsLeaseDoesNotAnswerTheOldValue() throws Exception {
        startAll();
        int frozen = awaitMaster(Duration.ofSeconds(30));
        putEventually(node(frozen), "fo/frozen", "old", Duration.ofSeconds(20));
        long pid = cluster.pid(frozen);
        signal("STOP", pid);
        try {
            ProcessCluster.sleep(LEASE_MS + 500);
            int next = awaitMaster(Duration.ofSeconds(20), frozen);
            putEventually(node(next), "fo/frozen", "new", Duration.ofSeconds(20));
        } finally {
            signal("CONT", pid);
        }
        // At once: the thawed node's clock moved on while it was stopped, so it knows its lease is gone.
        NodeClient thawed = new NodeClient(cluster.url(frozen), CLIENT_TIMEOUT);
        int answered = 0;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < until) {
            NodeClient.Reply reply = thawed.get("/v1/kv/fo/frozen");
            if (reply.status() == 200) {
                assertThat(reply.text()).as("a linearizable read on the thawed old master").isEqualTo("new");
                answered++;
            } else {
                assertThat(reply.status()).as("%s", reply).isIn(503, 504);
            }
        }
        assertThat(answered).as("the thawed node answers, through the new master or as a follower").isPositive();
    }

    @Test
    void aMasterStoppedCleanlyIsReplacedWellWithinALease() throws Exception {
        startAll();
        List<Long> takeoverMs = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            int master = awaitMaster(Duration.ofSeconds(30));
            int follower = (master + 1) % 3;
            putEventually(node(follower), "fo/clean", "round " + round, Duration.ofSeconds(20));
            AtomicLong replacedAt = new AtomicLong();
            Thread watcher = new Thread(() -> {
                while (replacedAt.get() == 0) {
                    for (int id = 0; id < 3; id++) {
                        if (id == master) {
                            continue;
                        }
                        try {
                            if (new NodeClient(cluster.url(id), Duration.ofSeconds(1)).status().get("role").asText()
                                    .equals("master")) {
                                replacedAt.compareAndSet(0, System.nanoTime());
                            }
                        } catch (UncheckedIOException | AssertionError | IllegalStateException notNow) {
                            // try again
                        }
                    }
                    ProcessCluster.sleep(5);
                }
            }, "watch-master");
            watcher.setDaemon(true);
            watcher.start();
            long stopped = System.nanoTime();
            cluster.stop(master); // SIGTERM: the node releases its lease before it closes its peer connections
            watcher.join(10_000);
            assertThat(replacedAt.get()).as("a new master came").isPositive();
            long tookMs = (replacedAt.get() - stopped) / 1_000_000;
            takeoverMs.add(tookMs);
            // A node that has not heard of the new master yet answers 503 NO_MASTER ("retry shortly"): retry as told.
            String expected = "round " + round;
            NodeClient reader = node(follower);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> {
                        NodeClient.Reply read = reader.get("/v1/kv/fo/clean");
                        assertThat(read.status()).as(read.text()).isEqualTo(200);
                        assertThat(read.text()).isEqualTo(expected);
                    });
            putEventually(node(follower), "fo/clean", "after " + round, Duration.ofSeconds(5));
            cluster.start(master);
        }
        System.out.println(election() + ": SIGTERM of the master: new master after " + takeoverMs + " ms (lease "
                + LEASE_MS + " ms)");
        assertThat(takeoverMs).allSatisfy(ms -> assertThat(ms).as("within the bound for a clean stop")
                .isLessThan(cleanStopBoundMs()));
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d", signal, pid).isZero();
    }

    private void note(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> new AtomicLong()).incrementAndGet();
    }

    /** One client: writes (keyed, retried until answered) and linearizable reads, to random nodes. */
    private void clientLoop(History history, int process, SplittableRandom random) {
        long sequence = 0;
        while (running.get()) {
            sequence++;
            int pick = random.nextInt(10);
            if (pick < 3) {
                write(history, process, random, KEYS[random.nextInt(KEYS.length)], "p" + process + "-" + sequence,
                        "fo-" + process + "-" + sequence, false);
            } else if (pick < 6) {
                write(history, process, random, "fo/u/" + process + "-" + sequence, "u", "fou-" + process + "-"
                        + sequence, true);
            } else {
                read(history, process, new NodeClient(cluster.url(random.nextInt(3)), CLIENT_TIMEOUT),
                        KEYS[random.nextInt(KEYS.length)]);
            }
        }
    }

    private void write(History history, int process, SplittableRandom random, String key, String value,
            String idempotencyKey, boolean unique) {
        History.Handle handle = unique ? null : history.invokePut(process, key, value, new Condition.None());
        boolean mayHaveHappened = false;
        while (true) {
            NodeClient target = new NodeClient(cluster.url(random.nextInt(3)), CLIENT_TIMEOUT);
            NodeClient.Reply reply;
            try {
                reply = target.put(key, value, "Idempotency-Key", idempotencyKey);
            } catch (UncheckedIOException | IllegalStateException broken) {
                reply = null;
            }
            if (reply != null && reply.status() == 200) {
                note("ok/write");
                if (unique) {
                    acknowledged.add(key);
                } else {
                    handle.ok(new Answer.Written(reply.json().get("version").asLong()));
                }
                return;
            }
            if (reply != null && reply.status() != 503 && reply.status() != 504) {
                throw new AssertionError("PUT " + key + " answered " + reply);
            }
            note(reply == null ? "retry/io" : "retry/" + reply.status());
            mayHaveHappened |= reply == null || reply.status() == 504;
            if (!running.get()) {
                break;
            }
            ProcessCluster.sleep(20 + random.nextInt(80));
        }
        if (handle != null) {
            if (mayHaveHappened) {
                handle.unknown();
            } else {
                handle.fail();
            }
        }
    }

    private void read(History history, int process, NodeClient node, String key) {
        History.Handle handle = history.invokeRead(process, key, "linearizable");
        NodeClient.Reply reply;
        try {
            reply = node.get("/v1/kv/" + key);
        } catch (UncheckedIOException | IllegalStateException broken) {
            handle.fail();
            return;
        }
        if (reply.status() == 200) {
            handle.ok(new Answer.ReadValue(new String(reply.body(), StandardCharsets.UTF_8),
                    Long.parseLong(reply.header("ETag").orElseThrow().replace("\"", ""))));
            note("ok/read");
        } else if (reply.status() == 404) {
            handle.ok(new Answer.ReadAbsent());
            note("ok/read");
        } else {
            handle.fail();
            note("read/" + reply.status());
        }
    }
}
