package io.synod.sim.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The search, with all its prunings, agrees with a plain enumeration of every order on thousands of small random
 * histories, linearizable or not.
 */
class BruteForceComparisonTest {
    private static final int HISTORIES = 4000;

    @Test
    void theSearchAgreesWithBruteForceOnSmallHistories() {
        // Every pruning only skips what cannot succeed: on small histories the verdict equals exhaustive enumeration.
        Random random = new Random(42);
        int linearizable = 0;
        for (int round = 0; round < HISTORIES; round++) {
            List<Operation> history = mutate(smallHistory(round), random);
            boolean expected = new BruteForce(history).linearizable();
            LinearizabilityChecker.Result result = new LinearizabilityChecker().check(history);
            assertThat(result.linearizable()).as("round %d: %s%n%s", round, history, result.report())
                    .isEqualTo(expected);
            linearizable += expected ? 1 : 0;
        }
        assertThat(linearizable).as("both verdicts are exercised").isBetween(HISTORIES / 5, HISTORIES * 4 / 5);
    }

    private static List<Operation> smallHistory(int round) {
        List<Operation> history = new ArrayList<>();
        for (Operation operation : new RandomHistories(round).generate(8, 3, 1)) {
            if (!operation.isStaleRead()) {
                history.add(operation);
            }
        }
        return history;
    }

    /**
     * Replaces up to two answers with random ones of the right kind, so some histories stay linearizable, and makes
     * about one operation in six of unknown outcome.
     */
    private static List<Operation> mutate(List<Operation> history, Random random) {
        List<Operation> mutated = new ArrayList<>(history);
        for (int index = 0; index < mutated.size(); index++) {
            if (random.nextInt(6) == 0) {
                mutated.set(index, mutated.get(index).withOutcome(Answer.unknown(), Operation.UNKNOWN_COMPLETION));
            }
        }
        int changes = random.nextInt(3);
        for (int change = 0; change < changes && !mutated.isEmpty(); change++) {
            int index = random.nextInt(mutated.size());
            Operation operation = mutated.get(index);
            Answer answer = randomAnswer(operation, random);
            long completeTime = answer instanceof Answer.Unknown ? Operation.UNKNOWN_COMPLETION
                    : operation.isUnknown() ? operation.invokeTime() + random.nextInt(40) : operation.completeTime();
            mutated.set(index, operation.withOutcome(answer, completeTime));
        }
        return mutated;
    }

    private static Answer randomAnswer(Operation operation, Random random) {
        int roll = random.nextInt(10);
        long version = 1 + random.nextInt(25);
        if (roll == 0) {
            return Answer.unknown();
        }
        boolean conditional = !(operation.condition() instanceof Condition.None);
        if (conditional && roll < 3 && operation.kind() != Operation.Kind.READ) {
            return random.nextBoolean() ? Answer.preconditionFailed(version) : Answer.preconditionFailed();
        }
        return switch (operation.kind()) {
            case PUT -> Answer.written(version);
            case DELETE -> Answer.deleted(version, random.nextBoolean());
            case READ -> random.nextInt(3) == 0 ? Answer.absent() : Answer.read("v" + random.nextInt(8), version);
        };
    }

    /** Tries every order of the operations that respects real time; unknown outcomes may also never happen. */
    private static final class BruteForce {
        private final List<Operation> operations = new ArrayList<>();
        private final Set<List<Object>> failed = new HashSet<>();

        BruteForce(List<Operation> history) {
            for (Operation operation : history) {
                boolean unknownRead = operation.kind() == Operation.Kind.READ && operation.isUnknown();
                if (!unknownRead) {
                    operations.add(operation);
                }
            }
        }

        boolean linearizable() {
            return search(0, RegisterState.INITIAL);
        }

        private boolean search(int placed, RegisterState state) {
            boolean allDefinitePlaced = true;
            for (int index = 0; index < operations.size(); index++) {
                if ((placed & (1 << index)) == 0 && !operations.get(index).isUnknown()) {
                    allDefinitePlaced = false;
                }
            }
            if (allDefinitePlaced) {
                return true;
            }
            if (failed.contains(List.of(placed, state))) {
                return false;
            }
            for (int index = 0; index < operations.size(); index++) {
                if ((placed & (1 << index)) == 0 && canGoNext(index, placed)
                        && RegisterModel.step(state, operations.get(index)) instanceof Step.Allowed allowed
                        && search(placed | (1 << index), allowed.next())) {
                    return true;
                }
            }
            failed.add(List.of(placed, state));
            return false;
        }

        /** An operation can go next unless some operation not yet placed returned before it was invoked. */
        private boolean canGoNext(int candidate, int placed) {
            for (int index = 0; index < operations.size(); index++) {
                if ((placed & (1 << index)) == 0 && index != candidate
                        && operations.get(index).completeTime() < operations.get(candidate).invokeTime()) {
                    return false;
                }
            }
            return true;
        }
    }
}
