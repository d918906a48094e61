package io.synod.replica;

import io.synod.core.Durable;
import io.synod.core.DurableState;
import java.util.List;

/**
 * Where a replica keeps its {@link Durable} records. The replica loop is its only caller, on the loop's one thread.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #append} adds records after every earlier one and returns without waiting for them to be durable. It
 *       may block briefly on buffering; it never waits for a sync.</li>
 *   <li>{@link #sync} asks that every record appended so far be made durable. If it returns true they are durable on
 *       return. If it returns false the sync runs elsewhere, and its completion comes back to the loop as
 *       {@link Replica#synced(long)} with the same ticket, in ticket order.</li>
 *   <li>A storage that cannot make records durable (a failed fsync) must not report success for them, ever; it stops
 *       the node instead. A node must never carry on past a failed sync.</li>
 *   <li>{@link #recover} rebuilds the state from durable records only: on restart, anything appended but not synced
 *       may be lost, in whole or as a suffix.</li>
 * </ul>
 */
public interface Storage {
    /** Appends records, in order, after all earlier ones. */
    void append(List<Durable> records);

    /**
     * Requests that all records appended so far become durable.
     *
     * @param ticket increases by one with each call
     * @return true if they are durable on return; false if completion will be reported with {@link Replica#synced}
     */
    boolean sync(long ticket);

    /** Replays every durable record, in the order written. */
    DurableState recover();
}
