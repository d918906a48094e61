package io.synod.server;

import com.google.protobuf.InvalidProtocolBufferException;
import io.synod.core.Command;
import io.synod.core.NodeStatus;
import io.synod.core.Value;
import io.synod.core.election.Mastership;
import io.synod.kv.Entry;
import io.synod.kv.Item;
import io.synod.kv.proto.KvCommand;
import io.synod.replica.kv.KvAnswer;
import io.synod.replica.kv.KvRequest;
import io.synod.replica.kv.KvService;
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
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The key-value API's operations, on the node's loop thread: it hands each parsed request to the {@link KvService},
 * which decides, and turns the service's answer into a {@link Response} (DESIGN.md §1). The HTTP layer
 * ({@link HttpApi}) parses, validates and writes; the status and log pages are answered here from the node's state.
 */
final class KvApi {
    private final KvNode node;
    private final Peers peers;

    KvApi(KvNode node, Peers peers) {
        this.node = node;
        this.peers = peers;
    }

    /** Handles a key-value request; {@code respond} is called once, on this thread, now or later. */
    void handle(KvRequest request, Consumer<Response> respond) {
        KvService service = node.service();
        switch (request) {
            case KvRequest.Put put -> service.put(put, answer -> respond.accept(write(answer)));
            case KvRequest.Delete delete -> service.delete(delete, answer -> respond.accept(write(answer)));
            case KvRequest.Get get -> service.get(get, answer -> respond.accept(read(answer, KvApi::entry)));
            case KvRequest.ListPrefix list -> service.list(list, answer -> respond.accept(read(answer, KvApi::items)));
        }
    }

    // ----- writes -----

    static Response write(KvAnswer.Write answer) {
        return switch (answer) {
            case KvAnswer.Written written -> Response.json(200, writeBody(written.slot(), written.version()));
            case KvAnswer.Deleted deleted -> {
                Map<String, Object> body = writeBody(deleted.slot(), deleted.version());
                body.put("deleted", deleted.deleted());
                yield Response.json(200, body);
            }
            case KvAnswer.PreconditionFailed failed -> Response.error(412, "PRECONDITION_FAILED",
                            failed.exists() ? "the key's version is " + failed.currentVersion()
                                    + ", which the condition does not allow" : "the key does not exist")
                    .withHeader("ETag", failed.exists() ? etag(failed.currentVersion()) : "");
            case KvAnswer.IdempotencyKeyReused reused -> Response.error(422, "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was first used for a different request (method, key, body or "
                            + "conditions); nothing was changed");
            case KvAnswer.BadCommand bad -> Response.error(400, "BAD_COMMAND", bad.error());
            case KvAnswer.Refused refused -> refusal(refused.refusal());
            case KvAnswer.Unknown unknown -> Response.error(504, "TIMEOUT", "the write's outcome is unknown ("
                    + unknown.why() + "): it may still be applied; read the key to find out");
        };
    }

    private static Map<String, Object> writeBody(long slot, long version) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("slot", slot);
        body.put("version", version);
        return body;
    }

    static Response refusal(KvAnswer.Refusal refusal) {
        return switch (refusal) {
            case NO_QUORUM -> Response.error(503, "NO_QUORUM", "this node cannot reach a majority of the cluster; "
                    + "nothing was done, retry shortly").withHeader("Retry-After", "1");
            case NO_MASTER -> Response.error(503, "NO_MASTER", "this node may not propose now; nothing was done, "
                    + "retry shortly").withHeader("Retry-After", "1");
            case OVERLOADED -> Response.error(503, "OVERLOADED", "too many requests are waiting; nothing was done, "
                    + "retry shortly").withHeader("Retry-After", "1");
            case DISK_FULL -> diskFull();
        };
    }

    static Response diskFull() {
        return Response.error(507, "DISK_FULL", "this node's disk is full: it refuses writes and ordered reads "
                + "until space returns (reads with consistency=stale still work)");
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }

    // ----- reads -----

    private static <T> Response read(KvAnswer.Read<T> answer, BiFunction<T, Long, Response> render) {
        return switch (answer) {
            case KvAnswer.Value<T> value -> {
                Response response = render.apply(value.value(), value.appliedSlot() - 1);
                yield value.ordered() ? response : response.withHeader("X-Synod-Stale", "true");
            }
            case KvAnswer.ReadRefused<T> refused -> refusal(refused.refusal());
            case KvAnswer.TimedOut<T> timedOut -> Response.error(504, "TIMEOUT",
                    "the read did not complete in time (its min-slot was not applied here, or it could not be "
                            + "ordered); nothing was changed");
        };
    }

    /** A key's value, with its version as ETag and the highest applied slot as X-Synod-Slot. */
    private static Response entry(Optional<Entry> entry, long appliedSlot) {
        if (entry.isEmpty()) {
            return Response.error(404, "NOT_FOUND", "no such key")
                    .withHeader("X-Synod-Slot", Long.toString(appliedSlot));
        }
        return new Response(200, "application/octet-stream", entry.get().value(), Map.of())
                .withHeader("ETag", etag(entry.get().version()))
                .withHeader("X-Synod-Slot", Long.toString(appliedSlot));
    }

    private static Response items(List<Item> items, long appliedSlot) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (Item item : items) {
            Map<String, Object> one = new LinkedHashMap<>();
            putBytes(one, "key", item.key());
            putBytes(one, "value", item.value());
            one.put("version", item.version());
            json.add(one);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", json);
        body.put("slot", appliedSlot);
        return Response.json(200, body);
    }

    // ----- status and log -----

    /** {@code GET /v1/status}: this node's view of itself and its peers. */
    Response status() {
        return Response.json(200, statusBody());
    }

    private Map<String, Object> statusBody() {
        NodeStatus status = node.status().orElse(null);
        ServerConfig config = node.config();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", config.nodeId());
        if (node.isReadOnly() || status == null) {
            // Read-only (the disk is full): no protocol state, but the rest of the contract's fields.
            body.put("role", "follower");
            body.put("master", null);
            body.put("masterHttp", null);
            Map<String, Object> lease = new LinkedHashMap<>();
            lease.put("holder", null);
            lease.put("remainingMs", 0);
            body.put("lease", lease);
            body.put("election", config.election());
            Map<String, Object> slots = new LinkedHashMap<>();
            slots.put("applied", node.appliedSlot());
            body.put("slots", slots);
            body.put("readOnly", true);
            body.put("majorityReachable", node.majorityReachable());
            body.put("peers", peerList(config, null));
            return body;
        }
        Mastership mastership = status.mastership();
        boolean master = config.hasMaster() && mastership.master() == config.nodeId();
        body.put("role", master ? "master" : switch (status.role()) {
            case LEADER, FOLLOWER -> "follower";
            case CANDIDATE -> "candidate";
        });
        body.put("proposer", status.role().name().toLowerCase(java.util.Locale.ROOT));
        body.put("master", mastership.master() < 0 ? null : mastership.master());
        body.put("masterHttp", mastership.master() < 0 ? null : peers.httpUrl(mastership.master()));
        body.put("leader", status.leader() < 0 ? null : status.leader());
        Map<String, Object> lease = new LinkedHashMap<>();
        lease.put("holder", config.hasMaster() && mastership.master() >= 0 ? mastership.master() : null);
        long nowMs = node.nowMs();
        lease.put("remainingMs", mastership.mayReadLocally(nowMs) ? mastership.localReadsUntilMs() - nowMs : 0);
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
        body.put("majorityReachable", node.majorityReachable());
        body.put("peers", peerList(config, status));
        return body;
    }

    private List<Map<String, Object>> peerList(ServerConfig config, NodeStatus status) {
        List<Map<String, Object>> peerList = new ArrayList<>();
        for (int peer : new java.util.TreeSet<>(config.peers().keySet())) {
            if (peer == config.nodeId()) {
                continue;
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", peer);
            json.put("reachable", peers.isReachable(peer));
            json.put("applied", status == null ? null : status.peerCommitted().get(peer));
            json.put("http", peers.httpUrl(peer));
            peerList.add(json);
        }
        return peerList;
    }

    /** {@code GET /v1/log/{slot}}: what the slot holds, with each command's revision once it is applied here. */
    Response logEntry(long slot) {
        Optional<NodeStatus> known = node.status();
        // No status without a replica: read-only, or (briefly) stopping after a storage failure; answered alike.
        if (node.isReadOnly() || known.isEmpty()) {
            return Response.error(507, "DISK_FULL", "the log is not readable while the disk is full");
        }
        NodeStatus status = known.get();
        if (slot < status.firstRetained()) {
            return Response.error(410, "COMPACTED", "slot " + slot + " was compacted into a snapshot");
        }
        Value value = node.chosenValue(slot);
        if (value == null) {
            return Response.error(404, "NOT_CHOSEN", "slot " + slot + " is not chosen yet (or not known here)");
        }
        List<Map<String, Object>> commands = new ArrayList<>();
        long revision = node.firstRevisionOf(slot);
        for (Command command : value.commands()) {
            Map<String, Object> described = describe(command.payload());
            if (revision > 0) {
                described.put("revision", revision++);
            }
            commands.add(described);
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
        body.put("applied", slot < node.appliedSlot());
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
