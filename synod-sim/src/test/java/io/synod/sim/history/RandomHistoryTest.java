package io.synod.sim.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Random histories that are linearizable by construction pass; the same histories with one read corrupted fail. */
class RandomHistoryTest {
    private static final int SEEDS = 40;
    private static final int OPERATIONS = 400;

    @Test
    void randomLinearizableHistoriesPass() {
        // Every history generated from a sequential store, with overlapping intervals and unknown outcomes, passes.
        long operations = 0;
        long startNs = System.nanoTime();
        for (long seed = 1; seed <= SEEDS; seed++) {
            List<Operation> history = new RandomHistories(seed).generate(OPERATIONS, 6, 3);
            LinearizabilityChecker.Result result = new LinearizabilityChecker().check(history);
            assertThat(result.linearizable()).as("seed %d:%n%s", seed, result.report()).isTrue();
            operations += history.size();
        }
        double seconds = (System.nanoTime() - startNs) / 1e9;
        System.out.printf("checked %d operations in %.3f s: %.0f operations/second%n", operations, seconds,
                operations / seconds);
    }

    @Test
    void aReadOfAValueNeverWrittenFails() {
        // Changing one linearizable read to return a value no put wrote makes every history fail, on that key.
        for (long seed = 1; seed <= SEEDS; seed++) {
            List<Operation> history = new RandomHistories(seed).generate(OPERATIONS, 6, 3);
            Operation read = definiteReads(history).get((int) (seed * 7919 % definiteReads(history).size()));
            List<Operation> mutated = replace(history, read, Answer.read("never-written", 1_000_000));
            LinearizabilityChecker.Result result = new LinearizabilityChecker().check(mutated);
            assertThat(result.linearizable()).as("seed %d", seed).isFalse();
            assertThat(result.report()).startsWith("not linearizable: key " + Describe.quote(read.key()));
            assertThat(result.report().lines().count()).as(result.report()).isLessThan(60);
        }
    }

    @Test
    void aReadOfAValueWrittenOnlyAfterTheReadCompletedFails() {
        // Changing one read to return the answer of a put invoked after the read completed makes the history fail.
        int mutated = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            List<Operation> history = new RandomHistories(seed).generate(OPERATIONS, 6, 3);
            Optional<List<Operation>> future = readFromTheFuture(history);
            if (future.isPresent()) {
                mutated++;
                assertThat(new LinearizabilityChecker().check(future.get()).linearizable()).as("seed %d", seed)
                        .isFalse();
            }
        }
        assertThat(mutated).isGreaterThan(SEEDS / 2);
    }

    private static List<Operation> definiteReads(List<Operation> history) {
        return history.stream().filter(operation -> operation.kind() == Operation.Kind.READ
                && !operation.isStaleRead() && !operation.isUnknown()).toList();
    }

    private static Optional<List<Operation>> readFromTheFuture(List<Operation> history) {
        for (Operation read : definiteReads(history)) {
            for (Operation put : history) {
                if (put.kind() == Operation.Kind.PUT && put.key().equals(read.key())
                        && put.invokeTime() > read.completeTime() && put.answer() instanceof Answer.Written written) {
                    return Optional.of(replace(history, read, Answer.read(put.value(), written.version())));
                }
            }
        }
        return Optional.empty();
    }

    private static List<Operation> replace(List<Operation> history, Operation read, Answer answer) {
        List<Operation> mutated = new ArrayList<>(history);
        mutated.set(history.indexOf(read), read.withOutcome(answer, read.completeTime()));
        return mutated;
    }
}
