package io.synod.sim.history;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns an {@link Event} into one line of JSON and back, with the field names and order {@link HistoryFile}
 * documents. {@link History} and {@link HistoryFile} call it; decoding throws {@link HistoryFormatException} naming the
 * line and what is wrong. Unknown fields are rejected, so a misspelt {@code ifmatch} cannot silently turn a
 * compare-and-set into an unconditional write.
 */
final class EventCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final List<String> COMMON_FIELDS = List.of("process", "type", "f", "key", "time");

    private EventCodec() {}

    /** Returns the event as one line of JSON, without a line break. */
    static String encode(Event event) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("process", event.process());
        json.put("type", event.type().wireName());
        json.put("f", event.kind().wireName());
        json.put("key", event.key());
        if (event.type() == Event.Type.INVOKE) {
            encodeInvocation(event, json);
        } else if (event.type() == Event.Type.OK) {
            encodeAnswer(event.answer(), json);
        }
        json.put("time", event.time());
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("a JSON tree could not be written", impossible);
        }
    }

    private static void encodeInvocation(Event event, ObjectNode json) {
        if (event.value() != null) {
            json.put("value", event.value());
        }
        switch (event.condition()) {
            case Condition.IfMatch match -> json.put("ifMatch", match.version());
            case Condition.IfAbsent absent -> json.put("ifAbsent", true);
            case Condition.None none -> { }
        }
        if (event.consistency() != null) {
            json.put("consistency", event.consistency());
        }
    }

    private static void encodeAnswer(Answer answer, ObjectNode json) {
        switch (answer) {
            case Answer.Written written -> json.put("version", written.version());
            case Answer.Deleted deleted -> {
                json.put("version", deleted.version());
                json.put("deleted", deleted.deleted());
            }
            case Answer.ReadValue read -> {
                json.put("value", read.value());
                json.put("version", read.version());
            }
            case Answer.ReadAbsent absent -> json.putNull("value");
            case Answer.PreconditionFailed failed -> {
                json.put("precondition", "failed");
                if (failed.currentVersion() != null) {
                    json.put("version", failed.currentVersion());
                } else if (failed.exists() != null) {
                    json.put("exists", failed.exists());
                }
            }
            case Answer.Unknown unknown -> throw new IllegalArgumentException("an unknown outcome is an info event, "
                    + "not an ok");
        }
    }

    /** Parses one line (numbered from 1, for messages) into an event; throws HistoryFormatException if malformed. */
    static Event decode(String line, int lineNumber) {
        JsonNode json;
        try {
            json = MAPPER.readTree(line);
        } catch (JsonProcessingException malformed) {
            throw new HistoryFormatException(lineNumber, "not valid JSON: " + malformed.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new HistoryFormatException(lineNumber, "expected one JSON object");
        }
        Fields fields = new Fields(json, lineNumber);
        int process = fields.integer("process");
        Event.Type type = fields.choice("type", Event.Type.class);
        Operation.Kind kind = fields.choice("f", Operation.Kind.class);
        String key = fields.requiredText("key");
        long time = fields.requiredLong("time");
        try {
            return switch (type) {
                case INVOKE -> decodeInvocation(fields, process, kind, key, time);
                case OK -> new Event(process, type, kind, key, null, Condition.none(), null,
                        decodeAnswer(fields, kind), time);
                case FAIL, INFO -> {
                    fields.allowOnly(Set.of(), type.wireName());
                    yield new Event(process, type, kind, key, null, Condition.none(), null, null, time);
                }
            };
        } catch (IllegalArgumentException invalid) {
            if (invalid instanceof HistoryFormatException) {
                throw invalid;
            }
            throw new HistoryFormatException(lineNumber, invalid.getMessage());
        }
    }

    private static Event decodeInvocation(Fields fields, int process, Operation.Kind kind, String key, long time) {
        String what = kind.wireName() + " invoke";
        return switch (kind) {
            case PUT -> {
                fields.allowOnly(Set.of("value", "ifMatch", "ifAbsent"), what);
                Long ifMatch = fields.optionalLong("ifMatch");
                boolean ifAbsent = fields.optionalBoolean("ifAbsent", false);
                if (ifMatch != null && ifAbsent) {
                    throw fields.problem("a put cannot have both ifMatch and ifAbsent");
                }
                Condition condition = ifMatch != null ? Condition.ifMatch(ifMatch)
                        : ifAbsent ? Condition.ifAbsent() : Condition.none();
                yield new Event(process, Event.Type.INVOKE, kind, key, fields.requiredText("value"), condition, null,
                        null, time);
            }
            case DELETE -> {
                fields.allowOnly(Set.of("ifMatch"), what);
                Long ifMatch = fields.optionalLong("ifMatch");
                yield new Event(process, Event.Type.INVOKE, kind, key, null,
                        ifMatch == null ? Condition.none() : Condition.ifMatch(ifMatch), null, null, time);
            }
            case READ -> {
                fields.allowOnly(Set.of("consistency"), what);
                String consistency = fields.optionalText("consistency");
                yield new Event(process, Event.Type.INVOKE, kind, key, null, Condition.none(),
                        consistency == null ? Operation.LINEARIZABLE : consistency, null, time);
            }
        };
    }

    private static Answer decodeAnswer(Fields fields, Operation.Kind kind) {
        String what = kind.wireName() + " ok";
        if (kind == Operation.Kind.READ) {
            fields.allowOnly(Set.of("value", "version"), what);
            if (!fields.has("value")) {
                throw fields.problem("a read's ok needs a value (null if the key was absent)");
            }
            String value = fields.optionalText("value");
            if (value == null) {
                if (fields.has("version")) {
                    throw fields.problem("a read that found the key absent (value null) cannot have a version");
                }
                return Answer.absent();
            }
            return Answer.read(value, fields.requiredLong("version"));
        }
        fields.allowOnly(kind == Operation.Kind.PUT ? Set.of("precondition", "version", "exists")
                : Set.of("precondition", "version", "exists", "deleted"), what);
        String precondition = fields.optionalText("precondition");
        if (precondition != null) {
            if (!precondition.equals("failed")) {
                throw fields.problem("\"precondition\" can only be \"failed\", got \"" + precondition + "\"");
            }
            if (fields.has("deleted")) {
                throw fields.problem("a 412 (precondition failed) cannot say whether it deleted");
            }
            Long current = fields.optionalLong("version");
            Boolean exists = fields.has("exists") ? fields.optionalBoolean("exists", false) : null;
            return new Answer.PreconditionFailed(current, exists);
        }
        if (fields.has("exists")) {
            throw fields.problem("\"exists\" belongs only to a 412 (\"precondition\":\"failed\")");
        }
        long version = fields.requiredLong("version");
        if (kind == Operation.Kind.PUT) {
            return Answer.written(version);
        }
        if (!fields.has("deleted")) {
            throw fields.problem("a delete's ok needs \"deleted\": true or false");
        }
        return Answer.deleted(version, fields.optionalBoolean("deleted", false));
    }

    /** Typed access to one line's fields, with errors that name the line. */
    private record Fields(JsonNode json, int lineNumber) {
        boolean has(String name) {
            return json.has(name);
        }

        HistoryFormatException problem(String problem) {
            return new HistoryFormatException(lineNumber, problem);
        }

        void allowOnly(Set<String> extra, String what) {
            Iterator<String> names = json.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!COMMON_FIELDS.contains(name) && !extra.contains(name)) {
                    Set<String> expected = new TreeSet<>(extra);
                    expected.addAll(COMMON_FIELDS);
                    throw problem("unexpected field \"" + name + "\" in a " + what + " (expected only "
                            + String.join(", ", expected) + ")");
                }
            }
        }

        int integer(String name) {
            long value = requiredLong(name);
            if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                throw problem("\"" + name + "\" must fit in 32 bits, got " + value);
            }
            return (int) value;
        }

        long requiredLong(String name) {
            Long value = optionalLong(name);
            if (value == null) {
                throw problem("missing \"" + name + "\" (an integer)");
            }
            return value;
        }

        Long optionalLong(String name) {
            JsonNode node = json.get(name);
            if (node == null) {
                return null;
            }
            if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                throw problem("\"" + name + "\" must be an integer, got " + node);
            }
            return node.longValue();
        }

        String requiredText(String name) {
            String value = optionalText(name);
            if (value == null) {
                throw problem("missing \"" + name + "\" (a string)");
            }
            return value;
        }

        String optionalText(String name) {
            JsonNode node = json.get(name);
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isTextual()) {
                throw problem("\"" + name + "\" must be a string, got " + node);
            }
            return node.textValue();
        }

        boolean optionalBoolean(String name, boolean absent) {
            JsonNode node = json.get(name);
            if (node == null) {
                return absent;
            }
            if (!node.isBoolean()) {
                throw problem("\"" + name + "\" must be true or false, got " + node);
            }
            return node.booleanValue();
        }

        <E extends Enum<E>> E choice(String name, Class<E> type) {
            String text = requiredText(name);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return constant;
                }
            }
            List<String> expected = java.util.Arrays.stream(type.getEnumConstants())
                    .map(constant -> constant.name().toLowerCase(Locale.ROOT)).toList();
            throw problem("\"" + name + "\" must be one of " + String.join(", ", expected) + ", got \"" + text + "\"");
        }
    }
}
