package io.synod.sim.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON-lines history format: what it reads, what it writes, and how it names a malformed line. */
class HistoryFileTest {
    private static List<Operation> read(String text) throws IOException {
        return HistoryFile.read(new StringReader(text));
    }

    private static HistoryFormatException malformed(String text) {
        return (HistoryFormatException) org.assertj.core.api.Assertions.catchThrowable(() -> read(text));
    }

    @Test
    void theDocumentedExampleReads() throws IOException {
        // The example in HistoryFile's documentation is a valid file: eight operations, the failed one left out.
        List<Operation> operations = read("""
                {"process":3,"type":"invoke","f":"put","key":"a","value":"x","time":1200}
                {"process":3,"type":"ok","f":"put","key":"a","version":17,"time":1450}
                {"process":4,"type":"invoke","f":"put","key":"a","value":"y","ifMatch":17,"time":1500}
                {"process":4,"type":"ok","f":"put","key":"a","precondition":"failed","version":18,"time":1600}
                {"process":5,"type":"invoke","f":"put","key":"b","value":"z","ifAbsent":true,"time":1700}
                {"process":5,"type":"ok","f":"put","key":"b","precondition":"failed","exists":true,"time":1750}
                {"process":6,"type":"invoke","f":"delete","key":"a","time":1800}
                {"process":6,"type":"ok","f":"delete","key":"a","version":19,"deleted":true,"time":1900}
                {"process":7,"type":"invoke","f":"read","key":"a","consistency":"linearizable","time":2000}
                {"process":7,"type":"ok","f":"read","key":"a","value":null,"time":2100}
                {"process":7,"type":"invoke","f":"read","key":"a","time":2150}
                {"process":7,"type":"ok","f":"read","key":"a","value":"x","version":17,"time":2200}
                {"process":8,"type":"invoke","f":"put","key":"a","value":"w","time":2200}
                {"process":8,"type":"fail","f":"put","key":"a","time":2250}
                {"process":9,"type":"invoke","f":"put","key":"a","value":"v","time":2300}
                {"process":9,"type":"info","f":"put","key":"a","time":2400}
                """);
        assertThat(operations).hasSize(7);
        assertThat(operations).extracting(Operation::id).containsExactly(0, 1, 2, 3, 4, 5, 7);
        assertThat(operations.get(0)).isEqualTo(new Operation(0, 3, Operation.Kind.PUT, "a", "x", Condition.none(),
                Operation.LINEARIZABLE, 1200, 1450, Answer.written(17)));
        assertThat(operations.get(1).condition()).isEqualTo(Condition.ifMatch(17));
        assertThat(operations.get(1).answer()).isEqualTo(Answer.preconditionFailed(18));
        assertThat(operations.get(2).answer()).isEqualTo(new Answer.PreconditionFailed(null, true));
        assertThat(operations.get(3).answer()).isEqualTo(Answer.deleted(19, true));
        assertThat(operations.get(4).answer()).isEqualTo(Answer.absent());
        assertThat(operations.get(5).answer()).isEqualTo(Answer.read("x", 17));
        assertThat(operations.get(6).isUnknown()).isTrue();
        assertThat(operations.get(6).completeTime()).isEqualTo(Operation.UNKNOWN_COMPLETION);
    }

    @Test
    void anInvocationWithNoCompletionIsUnknownAndBlankLinesAreIgnored() throws IOException {
        // A process that never completed, like one that crashed, leaves an operation of unknown outcome.
        List<Operation> operations = read("""
                {"process":1,"type":"invoke","f":"read","key":"a","consistency":"stale","time":5}

                """);
        assertThat(operations).singleElement().satisfies(operation -> {
            assertThat(operation.isUnknown()).isTrue();
            assertThat(operation.isStaleRead()).isTrue();
        });
    }

    @Test
    void writingAndReadingGivesTheSameOperations(@TempDir Path directory) throws IOException {
        // A random history written out and read back is the same history (up to numbering) with the same verdict.
        List<Operation> history = new RandomHistories(7).generate(300, 5, 3);
        Path file = directory.resolve("history.jsonl");
        HistoryFile.write(history, file);
        List<Operation> back = HistoryFile.read(file);
        assertThat(renumbered(back)).isEqualTo(renumbered(history));
        LinearizabilityChecker checker = new LinearizabilityChecker();
        assertThat(checker.check(back).linearizable()).isEqualTo(checker.check(history).linearizable()).isTrue();
        assertThat(Files.readAllLines(file).getFirst()).startsWith("{\"process\":");
    }

    private static List<Operation> renumbered(List<Operation> operations) {
        List<Operation> sorted = operations.stream()
                .sorted(Comparator.comparingLong(Operation::invokeTime).thenComparingInt(Operation::process))
                .toList();
        return java.util.stream.IntStream.range(0, sorted.size()).mapToObj(index -> {
            Operation operation = sorted.get(index);
            return new Operation(index, operation.process(), operation.kind(), operation.key(), operation.value(),
                    operation.condition(), operation.consistency(), operation.invokeTime(), operation.completeTime(),
                    operation.answer());
        }).toList();
    }

    @Test
    void aHistoryJournalReadsBackAsItsOperations() throws IOException {
        // The lines History writes as events happen read back as exactly the operations it returns, ids included.
        AtomicLong clock = new AtomicLong();
        StringWriter journal = new StringWriter();
        History history = new History(() -> clock.addAndGet(10), journal);
        history.invokePut(1, "a", "x").ok(Answer.written(1));
        History.Handle failed = history.invokePut(2, "a", "y", Condition.ifMatch(1));
        History.Handle read = history.invokeRead(3, "a", "quorum");
        failed.fail();
        read.ok(Answer.read("x", 1));
        history.invokeDelete(2, "a", Condition.ifMatch(4)).ok(Answer.preconditionFailed(1));
        history.invokePut(4, "a", "z", Condition.ifAbsent()).unknown();
        history.invokePut(4, "b", "w").ok(Answer.written(5));
        history.invokeDelete(5, "b");
        assertThat(read(journal.toString())).isEqualTo(history.operations());
        assertThat(journal.toString().lines().toList()).contains(
                "{\"process\":2,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"a\",\"value\":\"y\",\"ifMatch\":1,"
                        + "\"time\":30}",
                "{\"process\":3,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\",\"value\":\"x\",\"version\":1,"
                        + "\"time\":60}",
                "{\"process\":4,\"type\":\"info\",\"f\":\"put\",\"key\":\"a\",\"time\":100}");
    }

    @Test
    void aMalformedLineNamesItsNumber() {
        // The first bad line is named by its number (counting from 1) and what is wrong with it.
        HistoryFormatException failure = malformed("""
                {"process":1,"type":"invoke","f":"put","key":"a","value":"x","time":1}
                {"process":1,"type":"ok","f":"put","key":"a","version":1,"time":2}
                {"process":1,"type":"invoke","f":"put","key":"a","value":"x","time":3
                """);
        assertThat(failure.lineNumber()).isEqualTo(3);
        assertThat(failure.getMessage()).startsWith("line 3: not valid JSON");
    }

    @Test
    void eachKindOfMistakeIsNamed() {
        // Wrong fields, types, order and pairings are each one clear message.
        String invoke = "{\"process\":1,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"a\",\"value\":\"x\",\"time\":5}\n";
        assertThat(malformed(invoke + invoke).problem()).isEqualTo(
                "process 1 already has an operation in flight (invoked on line 1)");
        assertThat(malformed("{\"process\":1,\"type\":\"ok\",\"f\":\"put\",\"key\":\"a\",\"version\":1,\"time\":5}")
                .problem()).isEqualTo("process 1 has no operation in flight to ok");
        assertThat(malformed(invoke + "{\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\",\"value\":null,"
                + "\"time\":6}").problem()).contains("is for a read of \"a\" but process 1 has a put of \"a\"");
        assertThat(malformed(invoke + "{\"process\":2,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"a\",\"time\":4}")
                .problem()).contains("time 4 is before the previous line's time 5");
        assertThat(malformed("{\"process\":1,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"a\",\"value\":\"x\","
                + "\"ifmatch\":3,\"time\":5}").problem()).startsWith("unexpected field \"ifmatch\" in a put invoke");
        assertThat(malformed(invoke + "{\"process\":1,\"type\":\"ok\",\"f\":\"put\",\"key\":\"a\",\"time\":6}")
                .problem()).isEqualTo("missing \"version\" (an integer)");
        assertThat(malformed("{\"process\":\"one\",\"type\":\"invoke\",\"f\":\"read\",\"key\":\"a\",\"time\":5}")
                .problem()).startsWith("\"process\" must be an integer");
        assertThat(malformed("{\"process\":1,\"type\":\"begin\",\"f\":\"read\",\"key\":\"a\",\"time\":5}").problem())
                .isEqualTo("\"type\" must be one of invoke, ok, fail, info, got \"begin\"");
        assertThat(malformed("{\"process\":1,\"type\":\"invoke\",\"f\":\"put\",\"key\":\"a\",\"value\":\"x\","
                + "\"ifMatch\":3,\"ifAbsent\":true,\"time\":5}").problem()).contains("both ifMatch and ifAbsent");
        assertThat(malformed("[1, 2]").problem()).isEqualTo("expected one JSON object");
        assertThat(malformed("{\"process\":1,\"type\":\"invoke\",\"f\":\"delete\",\"key\":\"a\",\"ifAbsent\":true,"
                + "\"time\":5}").problem()).startsWith("unexpected field \"ifAbsent\" in a delete invoke");
    }

    @Test
    void writingRefusesTwoOperationsInFlightForOneProcess() {
        // The format has one operation in flight per process, so a list that breaks that cannot be written.
        List<Operation> overlapping = new Ops().put(1, "a", "x", 0, 10, 1).put(1, "a", "y", 5, 15, 2).list();
        assertThatThrownBy(() -> HistoryFile.write(overlapping, new StringWriter()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in flight at once");
    }
}
