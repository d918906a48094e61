package io.synod.core.message;

/** A message with its sender and its receiver. */
public record Envelope(int from, int to, Message message) {
    public Envelope {
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
    }
}
