package io.synod.sim;

import io.synod.core.StateMachine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
