package io.synod.sim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The test state machine's one command: append {@code element} to the list at {@code key}. {@code client} and
 * {@code sequence} identify the request across retries, so the state machine applies it at most once.
 */
record AppendCommand(int client, long sequence, String key, String element) {

    byte[] encode() {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        byte[] elementBytes = element.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(4 + 8 + 4 + keyBytes.length + 4 + elementBytes.length);
        buffer.putInt(client).putLong(sequence);
        buffer.putInt(keyBytes.length).put(keyBytes);
        buffer.putInt(elementBytes.length).put(elementBytes);
        return buffer.array();
    }

    static AppendCommand decode(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int client = buffer.getInt();
        long sequence = buffer.getLong();
        byte[] key = new byte[buffer.getInt()];
        buffer.get(key);
        byte[] element = new byte[buffer.getInt()];
        buffer.get(element);
        return new AppendCommand(client, sequence, new String(key, StandardCharsets.UTF_8),
                new String(element, StandardCharsets.UTF_8));
    }
}
