package io.synod.sim;

import io.synod.core.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulator's state machine: an append-only list per key, whose state a checker can read. Each client request is
 * applied at most once: a retried request (same client and sequence) gets the first answer again. The answer is the
 * element's position in its list.
 *
 * <p>It keeps a digest of its whole state, updated with each change, so the replica-consistency checker can compare
 * replicas cheaply.
 */
final class ListStateMachine implements StateMachine {
    private record Done(long sequence, int position) {}

    private final Map<String, List<String>> lists = new HashMap<>();
    private final Map<Integer, Done> lastByClient = new HashMap<>();
    private final boolean nondeterministic;
    private final int nodeId;
    private final Checkers checkers;
    private long digest = 17;

    /**
     * @param nondeterministic planted bug: node 0 sometimes appends an element twice, so replicas diverge
     */
    ListStateMachine(int nodeId, boolean nondeterministic, Checkers checkers) {
        this.nodeId = nodeId;
        this.checkers = checkers;
        this.nondeterministic = nondeterministic;
    }

    @Override
    public byte[] apply(long slot, byte[] bytes) {
        checkers.onApply(nodeId, slot, bytes);
        AppendCommand command = AppendCommand.decode(bytes);
        Done done = lastByClient.get(command.client());
        if (done != null && command.sequence() <= done.sequence()) {
            return encode(command.sequence() == done.sequence() ? done.position() : -1);
        }
        List<String> list = lists.computeIfAbsent(command.key(), k -> new ArrayList<>());
        int position = list.size();
        append(command.key(), list, command.element());
        if (nondeterministic && nodeId == 0 && position % 7 == 3) {
            append(command.key(), list, command.element());
        }
        lastByClient.put(command.client(), new Done(command.sequence(), position));
        return encode(position);
    }

    private void append(String key, List<String> list, String element) {
        list.add(element);
        long mix = (key.hashCode() * 0x9E3779B97F4A7C15L) ^ ((long) list.size() << 32) ^ element.hashCode();
        digest = digest * 0x100000001B3L + mix;
    }

    @Override
    public Snapshot snapshot() {
        Map<String, List<String>> lists = new TreeMap<>();
        this.lists.forEach((key, list) -> lists.put(key, List.copyOf(list)));
        Map<Integer, Done> done = new TreeMap<>(lastByClient);
        long digestNow = digest;
        return sink -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeLong(digestNow);
                out.writeInt(lists.size());
                for (Map.Entry<String, List<String>> entry : lists.entrySet()) {
                    out.writeUTF(entry.getKey());
                    out.writeInt(entry.getValue().size());
                    for (String element : entry.getValue()) {
                        out.writeUTF(element);
                    }
                }
                out.writeInt(done.size());
                for (Map.Entry<Integer, Done> entry : done.entrySet()) {
                    out.writeInt(entry.getKey());
                    out.writeLong(entry.getValue().sequence());
                    out.writeInt(entry.getValue().position());
                }
            } catch (IOException impossible) {
                throw new UncheckedIOException(impossible);
            }
            sink.write(bytes.toByteArray(), 0, bytes.size());
        };
    }

    @Override
    public void restore(SnapshotSource source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int n = source.read(buffer, 0, buffer.length); n >= 0; n = source.read(buffer, 0, buffer.length)) {
            bytes.write(buffer, 0, n);
        }
        lists.clear();
        lastByClient.clear();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            digest = in.readLong();
            for (int keys = in.readInt(); keys > 0; keys--) {
                String key = in.readUTF();
                List<String> list = new ArrayList<>();
                for (int elements = in.readInt(); elements > 0; elements--) {
                    list.add(in.readUTF());
                }
                lists.put(key, list);
            }
            for (int clients = in.readInt(); clients > 0; clients--) {
                lastByClient.put(in.readInt(), new Done(in.readLong(), in.readInt()));
            }
        } catch (IOException damaged) {
            throw new IllegalStateException("snapshot does not parse", damaged);
        }
    }

    static byte[] encode(int position) {
        return ByteBuffer.allocate(4).putInt(position).array();
    }

    static int decodePosition(byte[] result) {
        return ByteBuffer.wrap(result).getInt();
    }

    long digest() {
        return digest;
    }

    List<String> list(String key) {
        return lists.getOrDefault(key, List.of());
    }

    Map<String, List<String>> lists() {
        return lists;
    }
}
