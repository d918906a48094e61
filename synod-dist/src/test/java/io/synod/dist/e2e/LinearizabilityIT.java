package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.dist.Main;
import io.synod.sim.history.Answer;
import io.synod.sim.history.Condition;
import io.synod.sim.history.History;
import io.synod.sim.history.HistoryFile;
import io.synod.sim.history.LinearizabilityChecker;
import io.synod.sim.history.Operation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real thing, checked like the simulator checks itself: concurrent clients against three {@code synod server}
 * processes do puts, {@code If-Match} puts on versions they read, create-only puts, deletes, reads at every
 * consistency, and keyed retries, while one node is killed with SIGKILL and restarted in the middle. Every operation
 * is recorded with its invocation, its answer (or "unknown") and its completion, and the whole history must pass the
 * linearizability checker — through the library and through {@code synod check-history}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LinearizabilityIT extends ClusterTestBase {
    private static final int CLIENTS = 6;
    private static final String[] KEYS = {"lin/a", "lin/b", "lin/c"};
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(3);

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();

    @Test
    void aHistoryOfConditionalWritesDeletesAndKeyedRetriesUnderAKillIsLinearizable() throws Exception {
        newCluster(3, List.of("--request-timeout-ms", "2000"));
        for (int id = 0; id < 3; id++) {
            cluster.start(id);
        }
        Path journal = dir.resolve("history.jsonl");
        History history;
        try (Writer out = Files.newBufferedWriter(journal, StandardCharsets.UTF_8)) {
            history = new History(System::nanoTime, out);
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int process = c;
                long seed = ThreadLocalRandom.current().nextLong();
                Thread thread = new Thread(() -> clientLoop(history, process, new SplittableRandom(seed)),
                        "client-" + c);
                thread.setDaemon(true);
                thread.start();
                clients.add(thread);
            }
            ProcessCluster.sleep(6_000);
            int victim = ThreadLocalRandom.current().nextInt(3);
            cluster.kill(victim);
            ProcessCluster.sleep(4_000);
            cluster.start(victim);
            ProcessCluster.sleep(6_000);
            running.set(false);
            for (Thread thread : clients) {
                thread.join(60_000);
                assertThat(thread.isAlive()).as("client %s finished", thread.getName()).isFalse();
            }
            awaitSameApplied(List.of(0, 1, 2), Duration.ofSeconds(60));
            // Every node, converged, reads every key: a lost write or a diverged replica shows up here.
            for (int id = 0; id < 3; id++) {
                for (String key : KEYS) {
                    read(history, 100 + id, node(id), key, "linearizable");
                }
            }
        }
        List<Operation> operations = history.operations();
        System.out.println("killed node; " + operations.size() + " operations, outcomes " + new TreeMap<>(outcomes));
        assertThat(count("ok/put")).as("writes went through").isGreaterThan(100);
        assertThat(count("ok/put-412")).as("conditions were tested").isPositive();

        LinearizabilityChecker.Result verdict = new LinearizabilityChecker().check(operations);
        assertThat(verdict.linearizable()).as(verdict.report()).isTrue();
        System.out.println(verdict.summary());

        // The same file, through the command users run on their own histories.
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int exit = Main.run(new String[] {"check-history", journal.toString()}, new PrintWriter(stdout, true),
                new PrintWriter(stderr, true));
        assertThat(exit).as("synod check-history: %s %s", stdout, stderr).isZero();
        assertThat(stdout.toString()).startsWith("linearizable");
        assertThat(HistoryFile.read(journal)).hasSameSizeAs(operations);
    }

    private int count(String outcome) {
        AtomicInteger counter = outcomes.get(outcome);
        return counter == null ? 0 : counter.get();
    }

    private void note(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> new AtomicInteger()).incrementAndGet();
    }

    /** One client process: one request at a time, to random nodes, until told to stop. */
    private void clientLoop(History history, int process, SplittableRandom random) {
        Map<String, Long> known = new HashMap<>();
        long sequence = 0;
        while (running.get()) {
            sequence++;
            String key = KEYS[random.nextInt(KEYS.length)];
            String value = "p" + process + "-" + sequence;
            String idempotencyKey = random.nextInt(10) < 7 ? "it-" + process + "-" + sequence : null;
            int pick = random.nextInt(100);
            if (pick < 30) {
                write(history, process, random, "PUT", key, value, new Condition.None(), idempotencyKey, known);
            } else if (pick < 45) {
                long version = known.getOrDefault(key, 0L);
                write(history, process, random, "PUT", key, value, new Condition.IfMatch(Math.max(1, version)),
                        idempotencyKey, known);
            } else if (pick < 52) {
                write(history, process, random, "PUT", key, value, new Condition.IfAbsent(), idempotencyKey, known);
            } else if (pick < 60) {
                Long version = known.get(key);
                Condition condition = version != null && version > 0 && random.nextBoolean()
                        ? new Condition.IfMatch(version) : new Condition.None();
                write(history, process, random, "DELETE", key, null, condition, idempotencyKey, known);
            } else {
                String consistency = switch (random.nextInt(4)) {
                    case 0, 1 -> "linearizable";
                    case 2 -> "quorum";
                    default -> "stale";
                };
                Long version = read(history, process, node(random.nextInt(3)), key, consistency);
                if (version != null) {
                    known.put(key, version);
                }
            }
        }
    }

    /**
     * One write, as one operation: with an idempotency key it is retried on any node until it has a definite answer
     * (or the test ends, leaving it unknown); without one, a timeout or broken connection leaves it unknown.
     */
    private void write(History history, int process, SplittableRandom random, String method, String key,
            String value, Condition condition, String idempotencyKey, Map<String, Long> known) {
        History.Handle handle = method.equals("PUT") ? history.invokePut(process, key, value, condition)
                : history.invokeDelete(process, key, condition);
        List<String> headers = new ArrayList<>();
        if (condition instanceof Condition.IfMatch ifMatch) {
            headers.addAll(List.of("If-Match", "\"" + ifMatch.version() + "\""));
        } else if (condition instanceof Condition.IfAbsent) {
            headers.addAll(List.of("If-None-Match", "*"));
        }
        if (idempotencyKey != null) {
            headers.addAll(List.of("Idempotency-Key", idempotencyKey));
        }
        boolean mayHaveHappened = false;
        for (int attempt = 0; attempt < 40; attempt++) {
            NodeClient target = new NodeClient(cluster.url(random.nextInt(3)), CLIENT_TIMEOUT);
            NodeClient.Reply reply;
            try {
                reply = target.send(method, "/v1/kv/" + key,
                        value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers.toArray(String[]::new));
            } catch (UncheckedIOException | IllegalStateException broken) {
                reply = null;
            }
            if (reply != null && (reply.status() == 200 || reply.status() == 412)) {
                Answer answer = answer(method, reply);
                handle.ok(answer);
                note("ok/" + method.toLowerCase() + (reply.status() == 412 ? "-412" : ""));
                known.put(key, switch (answer) {
                    case Answer.Written written -> written.version();
                    case Answer.PreconditionFailed failed -> failed.currentVersion() == null ? 0
                            : failed.currentVersion();
                    default -> 0L;
                });
                return;
            }
            if (reply != null && reply.status() != 503 && reply.status() != 504) {
                throw new AssertionError(method + " " + key + " answered " + reply);
            }
            mayHaveHappened |= reply == null || reply.status() == 504;
            note(reply == null ? "retry/io" : "retry/" + reply.status());
            if (idempotencyKey == null || !running.get()) {
                break;
            }
            ProcessCluster.sleep(50 + random.nextInt(200));
        }
        if (mayHaveHappened) {
            handle.unknown();
            note("unknown");
        } else {
            handle.fail();
            note("fail");
        }
    }

    private static Answer answer(String method, NodeClient.Reply reply) {
        if (reply.status() == 412) {
            return reply.header("ETag").map(etag -> (Answer) new Answer.PreconditionFailed(
                    Long.parseLong(etag.replace("\"", "")), true)).orElse(new Answer.PreconditionFailed(null, false));
        }
        long version = reply.json().get("version").asLong();
        return method.equals("PUT") ? new Answer.Written(version)
                : new Answer.Deleted(version, reply.json().get("deleted").asBoolean());
    }

    /** One read; returns the version it saw (0 if absent), or null if it did not complete. */
    private Long read(History history, int process, NodeClient node, String key, String consistency) {
        History.Handle handle = history.invokeRead(process, key, consistency);
        NodeClient.Reply reply;
        try {
            reply = new NodeClient(node.base(), CLIENT_TIMEOUT).get("/v1/kv/" + key + "?consistency=" + consistency);
        } catch (UncheckedIOException | IllegalStateException broken) {
            handle.fail(); // a read that did not complete changed nothing
            return null;
        }
        if (reply.status() == 200) {
            long version = Long.parseLong(reply.header("ETag").orElseThrow().replace("\"", ""));
            handle.ok(new Answer.ReadValue(reply.text(), version));
            note("ok/read");
            return version;
        }
        if (reply.status() == 404) {
            handle.ok(new Answer.ReadAbsent());
            note("ok/read");
            return 0L;
        }
        handle.fail();
        note("read/" + reply.status());
        return null;
    }
}
