package io.synod.sim;

import io.synod.kv.Entry;
import io.synod.replica.kv.KvAnswer;
import io.synod.replica.kv.KvRequest;
import io.synod.sim.history.Answer;
import io.synod.sim.history.Condition;
import io.synod.sim.history.Operation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One simulated client process: it sends one request at a time, to a random node's real {@code KvService}, and
 * records each as an {@link Operation} of the history the linearizability checker reads. It uses the whole API: puts,
 * puts with {@code If-Match} on versions it has read, create-only puts, deletes (some conditional), reads at every
 * consistency, and idempotency keys on most writes.
 *
 * <p>A write with an idempotency key whose answer does not come (a timeout, a crash, an unknown outcome, a refusal)
 * is retried with the same key, to any node, until it has a definite answer: one operation from its first sending
 * to that answer. A write without one that gets no answer is recorded as of unknown outcome; a refused one, as not
 * having happened (left out). Now and then the client deliberately sends a different request under a key it used
 * before, which must be refused ({@code IDEMPOTENCY_KEY_REUSED}) and change nothing.
 */
final class SimClient {
    /** How long the client waits for an answer before it gives up on an attempt (simulated ms). */
    static final long TIMEOUT_MS = 1_500;
    private static final String[] KEYS = {"a", "b", "c", "d"};

    private enum Kind { PUT, CAS, CREATE, DELETE, CAS_DELETE, READ, REUSE }

    /** The request in flight: what was asked, and what the history will say of it. */
    private final class Pending {
        final Kind kind;
        final KvRequest request;
        final String key;
        final String value;
        final Condition condition;
        final String consistency;
        final String idempotencyKey;
        final long invokedAtMs;
        int attempts;

        Pending(Kind kind, KvRequest request, String key, String value, Condition condition, String consistency,
                String idempotencyKey) {
            this.kind = kind;
            this.request = request;
            this.key = key;
            this.value = value;
            this.condition = condition;
            this.consistency = consistency;
            this.idempotencyKey = idempotencyKey;
            this.invokedAtMs = sim.now();
        }

        boolean isWrite() {
            return kind != Kind.READ;
        }

        Operation.Kind operationKind() {
            return switch (kind) {
                case PUT, CAS, CREATE, REUSE -> Operation.Kind.PUT;
                case DELETE, CAS_DELETE -> Operation.Kind.DELETE;
                case READ -> Operation.Kind.READ;
            };
        }
    }

    /** A keyed request this client finished, which a later {@link Kind#REUSE} may borrow the key of. */
    private record Used(String idempotencyKey, String key) {}

    final int id;
    private final Simulation sim;
    private final SplittableRandom random;
    private final Map<String, Long> knownVersions = new HashMap<>();
    private final List<Used> used = new ArrayList<>();
    private long sequence;
    private Pending pending;
    private long thinkToken;
    private int answered;

    SimClient(Simulation sim, int id, SplittableRandom random) {
        this.sim = sim;
        this.id = id;
        this.random = random;
    }

    /** Whether the client waits for an answer. */
    boolean isWaiting() {
        return pending != null;
    }

    /** How many of its requests were answered definitely. */
    int answered() {
        return answered;
    }

    /** Starts the next request, unless the safety phase is over. */
    void next() {
        pending = null;
        thinkToken++;
        if (sim.healed()) {
            return;
        }
        sequence++;
        pending = choose();
        send();
    }

    private Pending choose() {
        String key = KEYS[random.nextInt(KEYS.length)];
        String value = "c" + id + "-" + sequence;
        String idempotencyKey = random.nextInt(10) < 7 ? "client-" + id + "-" + sequence : null;
        long known = knownVersions.getOrDefault(key, 0L);
        int pick = random.nextInt(100);
        if (pick < 30) {
            return put(Kind.PUT, key, value, new Condition.None(), KvRequest.Condition.NONE, idempotencyKey);
        } else if (pick < 45) {
            long version = known > 0 && random.nextInt(4) > 0 ? known : Math.max(1, known + random.nextInt(-2, 3));
            return put(Kind.CAS, key, value, new Condition.IfMatch(version), new KvRequest.Condition.IfMatch(version),
                    idempotencyKey);
        } else if (pick < 52) {
            return put(Kind.CREATE, key, value, new Condition.IfAbsent(), KvRequest.Condition.IF_ABSENT,
                    idempotencyKey);
        } else if (pick < 60) {
            return new Pending(Kind.DELETE, new KvRequest.Delete(bytes(key), KvRequest.Condition.NONE,
                    idempotencyKey), key, null, new Condition.None(), Operation.LINEARIZABLE, idempotencyKey);
        } else if (pick < 64 && known > 0) {
            return new Pending(Kind.CAS_DELETE, new KvRequest.Delete(bytes(key),
                    new KvRequest.Condition.IfMatch(known), idempotencyKey), key, null, new Condition.IfMatch(known),
                    Operation.LINEARIZABLE, idempotencyKey);
        } else if (pick < 67 && !used.isEmpty()) {
            Used borrowed = used.get(random.nextInt(used.size()));
            // Another key, or the same key with another value: a different request either way.
            return put(Kind.REUSE, random.nextBoolean() ? borrowed.key() : key, value, new Condition.None(),
                    KvRequest.Condition.NONE, borrowed.idempotencyKey());
        }
        KvRequest.Consistency consistency = switch (random.nextInt(4)) {
            case 0, 1 -> KvRequest.Consistency.LINEARIZABLE;
            case 2 -> KvRequest.Consistency.QUORUM;
            default -> KvRequest.Consistency.STALE;
        };
        return new Pending(Kind.READ, new KvRequest.Get(bytes(key), consistency, null), key, null,
                new Condition.None(), consistency.name().toLowerCase(java.util.Locale.ROOT), null);
    }

    private Pending put(Kind kind, String key, String value, Condition condition, KvRequest.Condition request,
            String idempotencyKey) {
        return new Pending(kind, new KvRequest.Put(bytes(key), bytes(value), request, idempotencyKey), key, value,
                condition, Operation.LINEARIZABLE, idempotencyKey);
    }

    /** The node the last answer named as master, or -1: where the next request goes, most of the time. */
    private int preferred = -1;

    private void send() {
        Pending request = pending;
        int attempt = ++request.attempts;
        // Like a client library that follows the master: mostly the node the last answer named, sometimes any node.
        SimNode target = preferred >= 0 && random.nextInt(4) != 0 ? sim.node(preferred)
                : sim.node(random.nextInt(sim.nodeCount()));
        sim.schedule(sim.now() + TIMEOUT_MS, Simulation.Kind.TIMEOUT, id, "client", () -> {
            if (pending == request && request.attempts == attempt) {
                noAnswer(request);
            }
        });
        sim.schedule(sim.now() + 1, Simulation.Kind.PROPOSE, target.id, "client " + id + " " + request.kind + " "
                + request.key + " seq " + sequence, () -> {
                    if (pending != request || request.attempts != attempt || !target.isUp()) {
                        return;
                    }
                    target.submit(request.request, answer -> {
                        if (target.isUp()) {
                            preferred = target.mastership().master();
                        }
                        sim.schedule(sim.now(), Simulation.Kind.ANSWER, id, "client",
                                () -> onAnswer(request, attempt, answer));
                    });
                });
    }

    /** The attempt got no answer in time: the node crashed, or the network lost it. */
    private void noAnswer(Pending request) {
        preferred = -1; // like a client library: a node that did not answer is not where to go next
        if (!request.isWrite() || request.kind == Kind.REUSE) {
            next(); // a read that did not complete, or a deliberate reuse, changed nothing we can record
        } else if (request.idempotencyKey != null) {
            send();
        } else {
            complete(request, new Answer.Unknown());
        }
    }

    private void onAnswer(Pending request, int attempt, Object answer) {
        if (pending != request) {
            return; // a late answer to a request already finished
        }
        if (answer instanceof KvAnswer.Write write) {
            onWrite(request, attempt, write);
        } else if (answer instanceof KvAnswer.Read<?> read) {
            onRead(request, attempt, read);
        }
    }

    private void onWrite(Pending request, int attempt, KvAnswer.Write write) {
        switch (write) {
            case KvAnswer.Written written -> {
                checkNotReuse(request, write);
                sim.checkers.onWriteAnswer(request.request, written.slot());
                knownVersions.put(request.key, written.version());
                complete(request, new Answer.Written(written.version()));
            }
            case KvAnswer.Deleted deleted -> {
                checkNotReuse(request, write);
                sim.checkers.onWriteAnswer(request.request, deleted.slot());
                knownVersions.put(request.key, 0L);
                complete(request, new Answer.Deleted(deleted.version(), deleted.deleted()));
            }
            case KvAnswer.PreconditionFailed failed -> {
                checkNotReuse(request, write);
                sim.checkers.onWriteAnswer(request.request, failed.slot());
                knownVersions.put(request.key, failed.exists() ? failed.currentVersion() : 0L);
                complete(request, failed.exists() ? new Answer.PreconditionFailed(failed.currentVersion(), true)
                        : new Answer.PreconditionFailed(null, false));
            }
            case KvAnswer.IdempotencyKeyReused reused -> {
                if (request.kind != Kind.REUSE) {
                    throw new SimFailure("exactly-once", "client " + id + "'s " + request.kind + " of "
                            + request.key + " with its own idempotency key " + request.idempotencyKey
                            + " was refused as a reuse of the key");
                }
                next();
            }
            case KvAnswer.BadCommand bad -> throw new SimFailure("exception", "client " + id + "'s " + request.kind
                    + " was a bad command: " + bad.error());
            case KvAnswer.Refused refused -> {
                // It never happened. A keyed write tries again (an earlier attempt may still have happened).
                if (attempt != request.attempts) {
                    return;
                }
                if (request.idempotencyKey != null && request.kind != Kind.REUSE) {
                    retryLater(request);
                } else {
                    next();
                }
            }
            case KvAnswer.Unknown unknown -> {
                if (attempt != request.attempts) {
                    return;
                }
                if (request.kind == Kind.REUSE) {
                    next();
                } else if (request.idempotencyKey != null) {
                    retryLater(request);
                } else {
                    complete(request, new Answer.Unknown());
                }
            }
        }
    }

    /** A deliberate reuse of an idempotency key must be refused; any other answer broke the rule. */
    private void checkNotReuse(Pending request, KvAnswer.Write write) {
        if (request.kind == Kind.REUSE) {
            throw new SimFailure("exactly-once", "client " + id + " reused idempotency key " + request.idempotencyKey
                    + " on a different request (put " + request.key + "=" + request.value + ") and was answered "
                    + write + " instead of IDEMPOTENCY_KEY_REUSED");
        }
    }

    /** Sends the same request again after a short backoff; the attempt in flight no longer counts. */
    private void retryLater(Pending request) {
        int token = ++request.attempts;
        sim.schedule(sim.now() + 20 + random.nextInt(100), Simulation.Kind.TIMEOUT, id, "retry", () -> {
            if (pending == request && request.attempts == token) {
                send();
            }
        });
    }

    private void onRead(Pending request, int attempt, KvAnswer.Read<?> read) {
        if (attempt != request.attempts) {
            return;
        }
        if (read instanceof KvAnswer.Value<?> value) {
            boolean stale = request.consistency.equals(Operation.STALE);
            if (value.ordered() == stale) {
                throw new SimFailure("linearizability", "client " + id + "'s " + request.consistency
                        + " read was answered " + (value.ordered() ? "ordered" : "without ordering"));
            }
            @SuppressWarnings("unchecked")
            Optional<Entry> entry = (Optional<Entry>) value.value();
            if (entry.isPresent()) {
                knownVersions.put(request.key, entry.get().version());
                complete(request, new Answer.ReadValue(text(entry.get().value()), entry.get().version()));
            } else {
                knownVersions.put(request.key, 0L);
                complete(request, new Answer.ReadAbsent());
            }
        } else {
            next(); // refused or timed out: the read tells nothing
        }
    }

    /** Records the operation with its answer and moves on to the next request after a short think. */
    private void complete(Pending request, Answer answer) {
        long completedAtMs = answer instanceof Answer.Unknown ? Operation.UNKNOWN_COMPLETION : sim.now();
        sim.record(new Operation(sim.nextOperationId(), id, request.operationKind(), request.key, request.value,
                request.condition, request.consistency, request.invokedAtMs, completedAtMs, answer));
        if (!(answer instanceof Answer.Unknown)) {
            answered++;
            if (request.idempotencyKey != null && request.kind != Kind.REUSE) {
                used.add(new Used(request.idempotencyKey, request.key));
                if (used.size() > 20) {
                    used.remove(0);
                }
            }
        }
        pending = null;
        long token = ++thinkToken;
        sim.schedule(sim.now() + random.nextInt(50), Simulation.Kind.PROPOSE, -1, "client " + id + " next", () -> {
            if (pending == null && thinkToken == token) {
                next();
            }
        });
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
