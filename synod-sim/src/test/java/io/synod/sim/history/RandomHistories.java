package io.synod.sim.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates random histories that are linearizable by construction: each operation gets a random interval and a
 * linearization point inside it, and the answers come from applying the operations in point order to a sequential
 * versioned store with one revision counter. Some operations have unknown outcomes (half of those took effect), some
 * reads are stale.
 */
final class RandomHistories {
    /** One generated operation before its answer is known. */
    private record Planned(int process, String key, long invokeTime, long pointTime, long completeTime, int choice) {}

    /** What a key holds in the sequential store. */
    private record Held(String value, long version) {}

    private final Random random;
    private final Map<String, Held> store = new HashMap<>();
    private final Map<String, List<Held>> everWritten = new HashMap<>();
    private final Map<String, Long> lastVersion = new HashMap<>();
    private long revision;
    private int nextValue;

    RandomHistories(long seed) {
        this.random = new Random(seed);
    }

    /** Returns a linearizable history of about {@code count} operations by {@code processes} clients on some keys. */
    List<Operation> generate(int count, int processes, int keys) {
        List<Planned> planned = new ArrayList<>();
        long[] cursor = new long[processes];
        int[] incarnation = new int[processes];
        for (int index = 0; index < count; index++) {
            int thread = random.nextInt(processes);
            long invokeTime = cursor[thread] + random.nextInt(5);
            long pointTime = invokeTime + random.nextInt(30);
            long completeTime = pointTime + random.nextInt(30);
            int choice = random.nextInt(100);
            boolean unknown = random.nextInt(100) < 6;
            int process = thread + processes * incarnation[thread];
            planned.add(new Planned(process, "key" + random.nextInt(keys), invokeTime, pointTime,
                    unknown ? Operation.UNKNOWN_COMPLETION : completeTime, choice));
            if (unknown) {
                incarnation[thread]++;
                cursor[thread] = pointTime + 1;
            } else {
                cursor[thread] = completeTime + 1;
            }
        }
        List<Planned> byPoint = new ArrayList<>(planned);
        byPoint.sort(Comparator.comparingLong(Planned::pointTime));
        Map<Planned, Operation> operations = new HashMap<>();
        for (Planned plan : byPoint) {
            operations.put(plan, apply(plan));
        }
        List<Operation> history = new ArrayList<>();
        for (int id = 0; id < planned.size(); id++) {
            Operation operation = operations.get(planned.get(id));
            history.add(new Operation(id, operation.process(), operation.kind(), operation.key(), operation.value(),
                    operation.condition(), operation.consistency(), operation.invokeTime(), operation.completeTime(),
                    operation.answer()));
        }
        return history;
    }

    private Operation apply(Planned plan) {
        boolean unknown = plan.completeTime() == Operation.UNKNOWN_COMPLETION;
        boolean takesEffect = !unknown || random.nextBoolean();
        String key = plan.key();
        Held held = store.get(key);
        int choice = plan.choice();
        if (choice < 35) {
            return read(plan, held, choice < 8);
        }
        Operation.Kind kind = choice < 85 ? Operation.Kind.PUT : Operation.Kind.DELETE;
        String value = kind == Operation.Kind.PUT ? "v" + nextValue++ : null;
        Condition condition = condition(kind, held, key);
        boolean holds = switch (condition) {
            case Condition.None none -> true;
            case Condition.IfMatch match -> held != null && held.version() == match.version();
            case Condition.IfAbsent absent -> held == null;
        };
        Answer answer;
        if (!holds) {
            answer = held != null && random.nextBoolean() ? Answer.preconditionFailed(held.version())
                    : held == null && random.nextBoolean() && !(condition instanceof Condition.IfAbsent)
                            ? Answer.preconditionFailedAbsent() : Answer.preconditionFailed();
        } else if (!takesEffect) {
            answer = Answer.unknown();
        } else {
            revision += 1 + random.nextInt(3);
            lastVersion.put(key, revision);
            if (kind == Operation.Kind.PUT) {
                Held written = new Held(value, revision);
                store.put(key, written);
                everWritten.computeIfAbsent(key, ignored -> new ArrayList<>()).add(written);
                answer = Answer.written(revision);
            } else {
                store.remove(key);
                answer = Answer.deleted(revision, held != null);
            }
        }
        if (unknown) {
            answer = Answer.unknown();
        }
        return new Operation(0, plan.process(), kind, key, value, condition, Operation.LINEARIZABLE,
                plan.invokeTime(), plan.completeTime(), answer);
    }

    private Condition condition(Operation.Kind kind, Held held, String key) {
        int roll = random.nextInt(100);
        if (roll < 50) {
            return Condition.none();
        }
        if (roll < 65 && kind == Operation.Kind.PUT) {
            return Condition.ifAbsent();
        }
        if (held != null && roll < 85) {
            return Condition.ifMatch(held.version());
        }
        return Condition.ifMatch(Math.max(0, lastVersion.getOrDefault(key, 0L) - random.nextInt(4)));
    }

    private Operation read(Planned plan, Held held, boolean stale) {
        Answer answer;
        List<Held> written = everWritten.getOrDefault(plan.key(), List.of());
        if (stale && !written.isEmpty()) {
            Held old = written.get(random.nextInt(written.size()));
            answer = Answer.read(old.value(), old.version());
        } else {
            answer = held == null ? Answer.absent() : Answer.read(held.value(), held.version());
        }
        if (plan.completeTime() == Operation.UNKNOWN_COMPLETION) {
            answer = Answer.unknown();
        }
        return new Operation(0, plan.process(), Operation.Kind.READ, plan.key(), null, Condition.none(),
                stale ? Operation.STALE : Operation.LINEARIZABLE, plan.invokeTime(), plan.completeTime(), answer);
    }
}
