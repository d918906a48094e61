package io.synod.sim.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Recording a history: times, numbering, one operation in flight per process, and several client threads at once. */
class HistoryTest {
    private final AtomicLong clock = new AtomicLong();
    private final History history = new History(() -> clock.addAndGet(5));

    @Test
    void operationsAreNumberedInInvocationOrderWithTheClocksTimes() {
        // Each event reads the clock once; ids follow invocations; failed operations are left out.
        History.Handle first = history.invokePut(1, "a", "x");
        History.Handle second = history.invokeRead(2, "a");
        second.ok(Answer.absent());
        first.ok(Answer.written(3));
        history.invokeDelete(2, "a").fail();
        assertThat(history.operations()).containsExactly(
                new Operation(0, 1, Operation.Kind.PUT, "a", "x", Condition.none(), Operation.LINEARIZABLE, 5, 20,
                        Answer.written(3)),
                new Operation(1, 2, Operation.Kind.READ, "a", null, Condition.none(), Operation.LINEARIZABLE, 10, 15,
                        Answer.absent()));
    }

    @Test
    void anOperationStillInFlightIsUnknown() {
        // Reading the history while a request is outstanding treats that request as of unknown outcome.
        history.invokePut(1, "a", "x");
        assertThat(history.operations()).singleElement().satisfies(operation -> {
            assertThat(operation.isUnknown()).isTrue();
            assertThat(operation.completeTime()).isEqualTo(Operation.UNKNOWN_COMPLETION);
        });
    }

    @Test
    void aProcessHasAtMostOneOperationInFlight() {
        // A second invocation by a process with one outstanding is a bug in the test, reported at once.
        history.invokePut(1, "a", "x");
        assertThatThrownBy(() -> history.invokeRead(1, "a")).isInstanceOf(IllegalStateException.class)
                .hasMessage("process 1 already has operation #0 in flight");
    }

    @Test
    void anOperationCompletesOnce() {
        // Completing twice, or with an answer that does not fit, throws and leaves the history as it was.
        History.Handle handle = history.invokePut(1, "a", "x");
        assertThatThrownBy(() -> handle.ok(Answer.absent())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> handle.ok(Answer.unknown())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown()");
        handle.unknown();
        assertThatThrownBy(() -> handle.ok(Answer.written(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already completed");
        assertThat(history.operations()).singleElement().satisfies(operation ->
                assertThat(operation.isUnknown()).isTrue());
    }

    @Test
    void severalThreadsCanRecordAtOnce() throws Exception {
        // Client threads share one history; every operation is recorded once and the result checks linearizable.
        History shared = new History(System::nanoTime);
        int threads = 8;
        int perThread = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int thread = 0; thread < threads; thread++) {
            int process = thread;
            done.add(pool.submit(() -> {
                String key = "key" + process;
                for (int index = 1; index <= perThread; index++) {
                    shared.invokePut(process, key, "v" + index).ok(Answer.written(index));
                    shared.invokeRead(process, key).ok(Answer.read("v" + index, index));
                }
            }));
        }
        for (Future<?> future : done) {
            future.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        List<Operation> operations = shared.operations();
        assertThat(operations).hasSize(threads * perThread * 2);
        assertThat(operations).extracting(Operation::id).doesNotHaveDuplicates();
        assertThat(new LinearizabilityChecker().check(operations).linearizable()).isTrue();
    }
}
