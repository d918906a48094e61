package io.synod.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.synod.core.Command;
import io.synod.core.NodeStatus;
import io.synod.core.Ready;
import io.synod.core.Value;
import io.synod.kv.Entry;
import io.synod.kv.Item;
import io.synod.kv.proto.Delete;
import io.synod.kv.proto.KvCommand;
import io.synod.kv.proto.KvResult;
import io.synod.kv.proto.Noop;
import io.synod.kv.proto.Put;
import io.synod.net.NettyTransport;
import io.synod.replica.Outcome;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The key-value API's operations, on the node's loop thread: each turns a parsed request into proposals and reads, and
 * answers through a callback with a {@link Response} (DESIGN.md §1). The HTTP layer ({@link HttpApi}) parses,
 * validates, times out and writes; this class decides.
 *
 * <p>Reads: {@code stale} answers from the local state. {@code linearizable} and {@code quorum} put a no-op through the
 * log and answer once it is applied here: every write acknowledged before the read began is then in the local state
 * (with no master lease yet, this is the only safe way, and it never trusts clocks). {@code min-slot=N} first waits
 * until slot N is applied.
 */
final class KvApi {
    /** How a read must relate to writes. */
    enum Consistency { LINEARIZABLE, QUORUM, STALE }

    /** A parsed, validated request. */
    sealed interface Request {
        record PutKey(byte[] key, byte[] value, Long ifMatch, boolean createOnly, String idempotencyKey)
                implements Request {}

        record DeleteKey(byte[] key, Long ifMatch, String idempotencyKey) implements Request {}

        record GetKey(byte[] key, Consistency consistency, Long minSlot) implements Request {}

        record ListPrefix(byte[] prefix, int limit, Consistency consistency, Long minSlot) implements Request {}

        record Status() implements Request {}

        record LogSlot(long slot) implements Request {}

        /** Whether the request changes state (and so must never be retried silently). */
        default boolean isWrite() {
            return this instanceof PutKey || this instanceof DeleteKey;
        }
    }

    private final KvNode node;
    private final NettyTransport transport;

    KvApi(KvNode node, NettyTransport transport) {
        this.node = node;
        this.transport = transport;
    }

    /** Handles {@code request}; {@code respond} is called once, on this thread or later on it. */
    void handle(Request request, Consumer<Response> respond) {
        switch (request) {
            case Request.PutKey put -> write(putCommand(put), respond, false);
            case Request.DeleteKey delete -> write(deleteCommand(delete), respond, true);
            case Request.GetKey get -> read(get.consistency(), get.minSlot(), () -> getNow(get.key()), respond);
            case Request.ListPrefix list -> read(list.consistency(), list.minSlot(),
                    () -> listNow(list.prefix(), list.limit()), respond);
            case Request.Status status -> respond.accept(Response.json(200, status()));
            case Request.LogSlot log -> respond.accept(logEntry(log.slot()));
        }
    }

    // ----- writes -----

    private static byte[] putCommand(Request.PutKey put) {
        Put.Builder body = Put.newBuilder().setKey(ByteString.copyFrom(put.key()))
                .setValue(ByteString.copyFrom(put.value())).setCreateOnly(put.createOnly());
        if (put.ifMatch() != null) {
            body.setExpectedVersion(put.ifMatch());
        }
        KvCommand.Builder command = KvCommand.newBuilder().setPut(body);
        if (put.idempotencyKey() != null) {
            command.setIdempotencyKey(put.idempotencyKey());
        }
        return command.build().toByteArray();
    }

    private static byte[] deleteCommand(Request.DeleteKey delete) {
        Delete.Builder body = Delete.newBuilder().setKey(ByteString.copyFrom(delete.key()));
        if (delete.ifMatch() != null) {
            body.setExpectedVersion(delete.ifMatch());
        }
        KvCommand.Builder command = KvCommand.newBuilder().setDelete(body);
        if (delete.idempotencyKey() != null) {
            command.setIdempotencyKey(delete.idempotencyKey());
        }
        return command.build().toByteArray();
    }

    private void write(byte[] command, Consumer<Response> respond, boolean isDelete) {
        if (node.isReadOnly()) {
            respond.accept(diskFull());
            return;
        }
        node.propose(command, outcome -> respond.accept(writeAnswer(outcome, isDelete)));
    }

    private static Response writeAnswer(Outcome outcome, boolean isDelete) {
        if (outcome == null) {
            return diskFull();
        }
        return switch (outcome) {
            case Outcome.Applied applied -> {
                KvResult result = parseResult(applied.result());
                yield switch (result.getStatus()) {
                    case OK -> {
                        // The result's slot, not the slot of this command: a retried write carries the first's.
                        Map<String, Object> body = new LinkedHashMap<>();
                        body.put("slot", result.getSlot());
                        if (isDelete) {
                            body.put("deleted", result.getDeleted());
                        }
                        yield Response.json(200, body);
                    }
                    case PRECONDITION_FAILED -> Response.error(412, "PRECONDITION_FAILED",
                            result.getExists() ? "the key's version is " + result.getCurrentVersion()
                                    + ", which the condition does not allow" : "the key does not exist")
                            .withHeader("ETag", result.getExists() ? "\"" + result.getCurrentVersion() + "\"" : "");
                    default -> Response.error(400, "BAD_COMMAND", result.getError().isEmpty()
                            ? "the command was not understood" : result.getError());
                };
            }
            case Outcome.Rejected rejected -> rejected.reason() == Ready.Reason.OVERLOADED
                    ? Response.error(503, "OVERLOADED", "too many writes are waiting; retry shortly")
                            .withHeader("Retry-After", "1")
                    : Response.error(503, "NO_MASTER", "this node may not propose now; retry shortly")
                            .withHeader("Retry-After", "1");
            case Outcome.Unknown unknown -> Response.error(504, "OUTCOME_UNKNOWN",
                    "the write may or may not have been applied; read the key to find out");
        };
    }

    private static KvResult parseResult(byte[] bytes) {
        try {
            return KvResult.parseFrom(bytes);
        } catch (InvalidProtocolBufferException impossible) {
            throw new IllegalStateException("the state machine returned an unreadable result", impossible);
        }
    }

    static Response diskFull() {
        return Response.error(507, "DISK_FULL", "this node's disk is full; writes are refused until space returns");
    }

    // ----- reads -----

    private void read(Consistency consistency, Long minSlot, java.util.function.Supplier<Response> answer,
            Consumer<Response> respond) {
        Runnable serve = () -> {
            if (consistency == Consistency.STALE || node.isReadOnly()) {
                Response local = answer.get();
                respond.accept(node.isReadOnly() ? local.withHeader("X-Synod-Read-Only", "true") : local);
                return;
            }
            byte[] barrier = KvCommand.newBuilder().setNoop(Noop.getDefaultInstance()).build().toByteArray();
            node.propose(barrier, outcome -> {
                if (outcome instanceof Outcome.Applied) {
                    respond.accept(answer.get());
                } else if (outcome == null) {
                    respond.accept(answer.get().withHeader("X-Synod-Read-Only", "true"));
                } else {
                    respond.accept(Response.error(503, "NO_QUORUM", "the read could not be ordered in the log; "
                            + "retry shortly").withHeader("Retry-After", "1"));
                }
            });
        };
        if (minSlot != null) {
            node.whenApplied(minSlot + 1, serve);
        } else {
            serve.run();
        }
    }

    private Response getNow(byte[] key) {
        Optional<Entry> entry = node.machine().get(key);
        if (entry.isEmpty()) {
            return Response.error(404, "NOT_FOUND", "no such key").withHeader("X-Synod-Slot",
                    Long.toString(appliedIndex()));
        }
        return new Response(200, "application/octet-stream", entry.get().value(), Map.of())
                .withHeader("ETag", "\"" + entry.get().version() + "\"")
                .withHeader("X-Synod-Slot", Long.toString(appliedIndex()));
    }

    private Response listNow(byte[] prefix, int limit) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Item item : node.machine().list(prefix, limit)) {
            Map<String, Object> json = new LinkedHashMap<>();
            putBytes(json, "key", item.key());
            putBytes(json, "value", item.value());
            json.put("version", item.version());
            items.add(json);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("slot", appliedIndex());
        return Response.json(200, body);
    }

    /** The highest applied slot, as the API reports it (-1 before anything is applied). */
    private long appliedIndex() {
        return node.appliedSlot() - 1;
    }

    // ----- status and log -----

    private Map<String, Object> status() {
        NodeStatus status = node.status();
        ServerConfig config = node.config();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", config.nodeId());
        if (status == null) {
            body.put("role", "follower");
            body.put("readOnly", true);
            return body;
        }
        body.put("role", switch (status.role()) {
            case LEADER -> status.master() == config.nodeId() ? "master" : "follower";
            case CANDIDATE -> "candidate";
            case FOLLOWER -> "follower";
        });
        body.put("proposer", status.role().name().toLowerCase(java.util.Locale.ROOT));
        body.put("master", status.master() < 0 ? null : status.master());
        body.put("masterHttp", status.master() < 0 ? null : transport.peerHttpUrl(status.master()));
        body.put("leader", status.leader() < 0 ? null : status.leader());
        Map<String, Object> lease = new LinkedHashMap<>();
        lease.put("holder", null);
        lease.put("remainingMs", 0);
        body.put("lease", lease);
        body.put("election", status.election());
        body.put("ballot", status.ballot().toString());
        Map<String, Object> slots = new LinkedHashMap<>();
        slots.put("firstRetained", status.firstRetained());
        slots.put("committed", status.committed());
        slots.put("applied", node.appliedSlot());
        body.put("slots", slots);
        body.put("pendingCommands", status.pendingCommands());
        body.put("readOnly", node.isReadOnly());
        List<Map<String, Object>> peers = new ArrayList<>();
        for (int peer : new java.util.TreeSet<>(config.peers().keySet())) {
            if (peer == config.nodeId()) {
                continue;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", peer);
            json.put("reachable", transport.isConnected(peer));
            json.put("applied", status.peerCommitted().get(peer));
            json.put("http", transport.peerHttpUrl(peer));
            peers.add(json);
        }
        body.put("peers", peers);
        return body;
    }

    private Response logEntry(long slot) {
        NodeStatus status = node.status();
        if (status == null) {
            return Response.error(503, "DISK_FULL", "the log is not readable while the disk is full");
        }
        if (slot < status.firstRetained()) {
            return Response.error(410, "COMPACTED", "slot " + slot + " was compacted into a snapshot");
        }
        Value value = node.chosenValue(slot);
        if (value == null) {
            return Response.error(404, "NOT_CHOSEN", "slot " + slot + " is not chosen yet (or not known here)");
        }
        List<Map<String, Object>> commands = new ArrayList<>();
        for (Command command : value.commands()) {
            commands.add(describe(command.payload()));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        if (commands.isEmpty()) {
            json.put("type", "noop");
        } else if (commands.size() == 1) {
            json.putAll(commands.get(0));
        } else {
            json.put("type", "batch");
            json.put("commands", commands);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("slot", slot);
        body.put("command", json);
        return Response.json(200, body);
    }

    private static Map<String, Object> describe(byte[] payload) {
        Map<String, Object> json = new LinkedHashMap<>();
        KvCommand command;
        try {
            command = KvCommand.parseFrom(payload);
        } catch (InvalidProtocolBufferException unreadable) {
            json.put("type", "unreadable");
            return json;
        }
        switch (command.getOperationCase()) {
            case PUT -> {
                json.put("type", "put");
                putBytes(json, "key", command.getPut().getKey().toByteArray());
                putBytes(json, "value", command.getPut().getValue().toByteArray());
                if (command.getPut().hasExpectedVersion()) {
                    json.put("ifMatch", command.getPut().getExpectedVersion());
                }
                if (command.getPut().getCreateOnly()) {
                    json.put("createOnly", true);
                }
            }
            case DELETE -> {
                json.put("type", "delete");
                putBytes(json, "key", command.getDelete().getKey().toByteArray());
                if (command.getDelete().hasExpectedVersion()) {
                    json.put("ifMatch", command.getDelete().getExpectedVersion());
                }
            }
            case NOOP -> json.put("type", "read-barrier");
            default -> json.put("type", "unknown");
        }
        if (!command.getIdempotencyKey().isEmpty()) {
            json.put("idempotencyKey", command.getIdempotencyKey());
        }
        return json;
    }

    /** Puts bytes as a UTF-8 string under {@code name}, or as base64 under {@code nameBase64} if they are not UTF-8. */
    static void putBytes(Map<String, Object> json, String name, byte[] bytes) {
        String text = utf8(bytes);
        if (text != null) {
            json.put(name, text);
        } else {
            json.put(name + "Base64", Base64.getEncoder().encodeToString(bytes));
        }
    }

    /** The bytes as a string if they are valid UTF-8, else null. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
    }
}
