package io.synod.sim.history;

/**
 * A history file line that does not follow the format {@link HistoryFile} documents. {@link HistoryFile#read} throws
 * it; the message is {@code line N: what is wrong}, and {@link #lineNumber()} and {@link #problem()} give the parts.
 */
public final class HistoryFormatException extends IllegalArgumentException {
    private final int lineNumber;
    private final String problem;

    /** Creates the exception for line {@code lineNumber} (counting from 1) and a phrase saying what is wrong. */
    public HistoryFormatException(int lineNumber, String problem) {
        super("line " + lineNumber + ": " + problem);
        this.lineNumber = lineNumber;
        this.problem = problem;
    }

    /** Returns the number of the malformed line, counting from 1. */
    public int lineNumber() {
        return lineNumber;
    }

    /** Returns what is wrong with the line, without the line number. */
    public String problem() {
        return problem;
    }
}
