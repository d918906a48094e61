package io.synod.sim.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes histories in a JSON-lines format, so that any test (in any language) can record what its clients
 * did and {@code synod check-history FILE} can check it. {@link History} writes the same format as events happen.
 *
 * <h2>Format</h2>
 * One JSON object per line (UTF-8), in the order things happened. Blank lines are ignored.
 * <pre>
 * {"process":3,"type":"invoke","f":"put","key":"a","value":"x","time":1200}
 * {"process":3,"type":"ok","f":"put","key":"a","version":17,"time":1450}
 * {"process":4,"type":"invoke","f":"put","key":"a","value":"y","ifMatch":17,"time":1500}
 * {"process":4,"type":"ok","f":"put","key":"a","precondition":"failed","version":18,"time":1600}
 * {"process":5,"type":"invoke","f":"put","key":"b","value":"z","ifAbsent":true,"time":1700}
 * {"process":5,"type":"ok","f":"put","key":"b","precondition":"failed","exists":true,"time":1750}
 * {"process":6,"type":"invoke","f":"delete","key":"a","time":1800}
 * {"process":6,"type":"ok","f":"delete","key":"a","version":19,"deleted":true,"time":1900}
 * {"process":7,"type":"invoke","f":"read","key":"a","consistency":"linearizable","time":2000}
 * {"process":7,"type":"ok","f":"read","key":"a","value":null,"time":2100}
 * {"process":7,"type":"invoke","f":"read","key":"a","time":2150}
 * {"process":7,"type":"ok","f":"read","key":"a","value":"x","version":17,"time":2200}
 * {"process":8,"type":"invoke","f":"put","key":"a","value":"w","time":2200}
 * {"process":8,"type":"fail","f":"put","key":"a","time":2250}
 * {"process":9,"type":"invoke","f":"put","key":"a","value":"v","time":2300}
 * {"process":9,"type":"info","f":"put","key":"a","time":2400}
 * </pre>
 * Every line has these fields:
 * <ul>
 *   <li>{@code process}: an integer naming the client; a process has at most one operation in flight.</li>
 *   <li>{@code type}: {@code invoke} (the client sent the operation), {@code ok} (it received an answer),
 *       {@code fail} (the operation definitely did not happen: HTTP 503, 422, 400; it is left out of the check) or
 *       {@code info} (the outcome is unknown: timeout, 504, connection lost, crash).</li>
 *   <li>{@code f}: {@code put}, {@code delete} or {@code read}.</li>
 *   <li>{@code key}: a string.</li>
 *   <li>{@code time}: an integer on any clock that never goes backwards (nanoseconds, milliseconds...): only the order
 *       matters. Each line's time is at least the line before's.</li>
 * </ul>
 * An {@code invoke} adds: for a put, {@code value} (a string) and optionally {@code ifMatch} (an integer version:
 * compare-and-set) or {@code "ifAbsent":true} (create only); for a delete, optionally {@code ifMatch}; for a read,
 * optionally {@code consistency} ({@code "linearizable"} by default; {@code "stale"} reads are checked by the weaker
 * stale-read rule, any other level as linearizable).
 *
 * <p>A completion ({@code ok}, {@code fail}, {@code info}) completes the operation its process has in flight and
 * repeats that operation's {@code f} and {@code key}. An {@code ok} adds the answer:
 * <ul>
 *   <li>put: {@code version}, the new version.</li>
 *   <li>delete: {@code version}, the delete's own version, and {@code deleted}, true if the key existed.</li>
 *   <li>read: {@code value} and {@code version}, or {@code "value":null} (and no version) if the key was absent.</li>
 *   <li>a conditional put or delete refused with HTTP 412: {@code "precondition":"failed"} and optionally the key's
 *       current {@code version} (then it existed) or {@code exists} (true or false) if the answer said.</li>
 * </ul>
 * {@code fail} and {@code info} add nothing. An operation still in flight at the end of the file has an unknown
 * outcome. Any other field, a wrong type, a time that goes backwards, or a completion that does not match the
 * process's operation in flight is an error naming the line ({@link HistoryFormatException}).
 *
 * <p>Operations are numbered in the order of their {@code invoke} lines from 0, counting those that later fail, so a
 * file {@link History} wrote reads back as the same operations {@link History#operations()} returns.
 */
public final class HistoryFile {
    /** The most lines a history file may have; a bound on reading. */
    public static final int MOST_LINES = 500_000_000;

    private HistoryFile() {}

    /**
     * Reads the history file at {@code path}: its operations in id order, without those that failed. Throws
     * IOException if it cannot be read and {@link HistoryFormatException} at the first malformed line.
     */
    public static List<Operation> read(Path path) throws IOException {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return read(reader);
        }
    }

    /**
     * Reads a history from {@code reader} (not closed) as {@link #read(Path)} does. Throws IOException if reading
     * fails and {@link HistoryFormatException} at the first malformed line.
     */
    public static List<Operation> read(Reader reader) throws IOException {
        BufferedReader lines = reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader);
        Assembler assembler = new Assembler();
        int lineNumber = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            lineNumber++;
            if (lineNumber > MOST_LINES) {
                throw new HistoryFormatException(lineNumber, "a history file has at most " + MOST_LINES + " lines");
            }
            if (!line.isBlank()) {
                assembler.add(EventCodec.decode(line, lineNumber), lineNumber);
            }
        }
        return assembler.operations();
    }

    /** Builds operations from events, checking that each completion matches its process's operation in flight. */
    private static final class Assembler {
        private final Map<Integer, Operation> inFlight = new HashMap<>();
        private final Map<Integer, Integer> invokedOnLine = new HashMap<>();
        private final List<Operation> completed = new ArrayList<>();
        private int nextId;
        private long lastTime = Long.MIN_VALUE;

        void add(Event event, int lineNumber) {
            if (event.time() < lastTime) {
                throw new HistoryFormatException(lineNumber, "time " + event.time() + " is before the previous "
                        + "line's time " + lastTime + " (lines must be in time order)");
            }
            lastTime = event.time();
            if (event.type() == Event.Type.INVOKE) {
                invoke(event, lineNumber);
            } else {
                complete(event, lineNumber);
            }
        }

        private void invoke(Event event, int lineNumber) {
            Integer earlier = invokedOnLine.get(event.process());
            if (earlier != null) {
                throw new HistoryFormatException(lineNumber, "process " + event.process() + " already has an "
                        + "operation in flight (invoked on line " + earlier + ")");
            }
            Operation operation;
            try {
                operation = new Operation(nextId, event.process(), event.kind(), event.key(), event.value(),
                        event.condition(), event.consistency() == null ? Operation.LINEARIZABLE : event.consistency(),
                        event.time(), Operation.UNKNOWN_COMPLETION, Answer.unknown());
            } catch (IllegalArgumentException invalid) {
                throw new HistoryFormatException(lineNumber, invalid.getMessage());
            }
            nextId++;
            inFlight.put(event.process(), operation);
            invokedOnLine.put(event.process(), lineNumber);
        }

        private void complete(Event event, int lineNumber) {
            Operation operation = inFlight.remove(event.process());
            Integer invokedLine = invokedOnLine.remove(event.process());
            if (operation == null) {
                throw new HistoryFormatException(lineNumber, "process " + event.process() + " has no operation in "
                        + "flight to " + event.type().wireName());
            }
            if (operation.kind() != event.kind() || !operation.key().equals(event.key())) {
                throw new HistoryFormatException(lineNumber, "this " + event.type().wireName() + " is for a "
                        + event.kind().wireName() + " of " + Describe.quote(event.key()) + " but process "
                        + event.process() + " has a " + operation.kind().wireName() + " of "
                        + Describe.quote(operation.key()) + " in flight (line " + invokedLine + ")");
            }
            switch (event.type()) {
                case OK -> {
                    try {
                        completed.add(operation.withOutcome(event.answer(), event.time()));
                    } catch (IllegalArgumentException invalid) {
                        throw new HistoryFormatException(lineNumber, invalid.getMessage());
                    }
                }
                case INFO -> completed.add(operation);
                case FAIL -> { }
                case INVOKE -> throw new IllegalStateException("an invoke is not a completion");
            }
        }

        List<Operation> operations() {
            List<Operation> operations = new ArrayList<>(completed);
            operations.addAll(inFlight.values());
            operations.sort(Comparator.comparingInt(Operation::id));
            return operations;
        }
    }

    /**
     * Writes {@code operations} to the file at {@code path} (replacing it) in the format above. Throws IOException if
     * writing fails, and IllegalArgumentException as {@link #write(List, Writer)} does.
     */
    public static void write(List<Operation> operations, Path path) throws IOException {
        try (Writer writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            write(operations, writer);
        }
    }

    /**
     * Writes {@code operations} to {@code writer} (flushed, not closed), events in time order. An operation of unknown
     * outcome gets an {@code info} line just before its process's next invocation, or none if there is none. Throws
     * IllegalArgumentException if one process has two operations in flight at once, which the format cannot say.
     */
    public static void write(List<Operation> operations, Writer writer) throws IOException {
        List<Timed> events = new ArrayList<>(2 * operations.size());
        Map<Integer, List<Operation>> byProcess = new HashMap<>();
        for (Operation operation : operations) {
            events.add(new Timed(operation.invokeTime(), operation.id(), 0, Event.invoke(operation)));
            if (!operation.isUnknown()) {
                events.add(new Timed(operation.completeTime(), operation.id(), 1,
                        Event.completion(operation, Event.Type.OK, operation.answer(), operation.completeTime())));
            }
            byProcess.computeIfAbsent(operation.process(), process -> new ArrayList<>()).add(operation);
        }
        for (List<Operation> ofProcess : byProcess.values()) {
            ofProcess.sort(Comparator.comparingLong(Operation::invokeTime).thenComparingInt(Operation::id));
            for (int index = 0; index + 1 < ofProcess.size(); index++) {
                Operation operation = ofProcess.get(index);
                if (operation.isUnknown()) {
                    long nextInvokeTime = ofProcess.get(index + 1).invokeTime();
                    events.add(new Timed(nextInvokeTime, operation.id(), 1,
                            Event.completion(operation, Event.Type.INFO, null, nextInvokeTime)));
                }
            }
        }
        events.sort(Comparator.comparingLong(Timed::time).thenComparingInt(Timed::id).thenComparingInt(Timed::phase));
        Map<Integer, Integer> inFlight = new HashMap<>();
        for (Timed timed : events) {
            int process = timed.event().process();
            if (timed.event().type() == Event.Type.INVOKE) {
                Integer other = inFlight.put(process, timed.id());
                if (other != null) {
                    throw new IllegalArgumentException("process " + process + " has operations " + other + " and "
                            + timed.id() + " in flight at once");
                }
            } else {
                inFlight.remove(process);
            }
            writer.write(EventCodec.encode(timed.event()));
            writer.write('\n');
        }
        writer.flush();
    }

    /** An event with its sort key: time, then operation id, then invocation before completion. */
    private record Timed(long time, int id, int phase, Event event) {}

    /** Writes one event as a line and flushes, for {@link History}'s journal; wraps IOException as unchecked. */
    static void writeLine(Writer writer, Event event) {
        try {
            writer.write(EventCodec.encode(event));
            writer.write('\n');
            writer.flush();
        } catch (IOException failed) {
            throw new UncheckedIOException("could not write the history journal", failed);
        }
    }
}
