package io.synod.storage;

/**
 * How recovery decides that a log record is intact. The one production rule is {@link #CRC32C}: the checksum stored in
 * the record's header matches the one computed over its length, type and payload ({@link WalFormat}). It is a seam so
 * that a test can plant a reader that trusts damaged records and show the simulator's checkers catch it.
 */
@FunctionalInterface
public interface RecordCheck {
    /** Whether the record at {@code position} of {@code bytes}, with payload {@code length}, is intact. */
    boolean intact(byte[] bytes, int position, int length, int storedChecksum);

    /** The checksum in the header matches the bytes. */
    RecordCheck CRC32C = (bytes, position, length, stored) ->
            stored == WalFormat.computedChecksum(bytes, position, length);
}
