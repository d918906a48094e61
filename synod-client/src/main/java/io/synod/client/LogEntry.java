package io.synod.client;

import java.util.Objects;

/**
 * What one log slot holds: {@code GET /v1/log/{slot}} answered {@code 200 {"slot":N,"applied":bool,"command":{...}}}.
 *
 * @param slot the slot
 * @param applied whether the answering node has applied it
 * @param command the command as the server describes it, as JSON text (for example
 *     {@code {"type":"put","key":"a","value":"x","revision":7}}; {@code "type"} is {@code put}, {@code delete},
 *     {@code batch}, {@code noop}, ...)
 * @param json the whole answer as the server sent it
 */
public record LogEntry(long slot, boolean applied, String command, String json) {
    /** Checks the values. */
    public LogEntry {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(json, "json");
    }
}
