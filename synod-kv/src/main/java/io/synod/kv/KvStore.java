package io.synod.kv;

import io.synod.core.StateMachine;
import java.util.List;
import java.util.Optional;

/**
 * The key-value store as the replica loop drives it and the request service reads it: a {@link StateMachine} whose
 * commands are {@link io.synod.kv.proto.KvCommand}s, plus the reads answered from its current state.
 * {@link KvStateMachine} is the implementation; the seam exists so tests can decorate the store (to count, to check,
 * or to plant a bug) without touching it.
 *
 * <p>Contract: every method is called on the replica loop's thread only, and reads see exactly the state after the
 * last applied command. No method blocks. Arrays handed out are the store's own: callers never modify them.
 */
public interface KvStore extends StateMachine {
    /** The value and version of {@code key}, or empty if it does not exist. */
    Optional<Entry> get(byte[] key);

    /**
     * The first {@code limit} keys that start with {@code prefix} (every key for an empty prefix), in ascending
     * unsigned byte order, with their values and versions.
     */
    List<Item> list(byte[] prefix, int limit);

    /**
     * The revision of the last command applied: every command the store applies takes the next number (from 1), so
     * this counts the commands applied since the store began, snapshots included. 0 before the first.
     */
    long revision();
}
