package io.synod.sim.history;

import java.util.Map;
import java.util.TreeMap;

/**
 * The version ceilings of the operations of known outcome that {@link KeySearch} has not placed yet: a multiset it
 * updates as it places and un-places operations, and asks for its least element.
 *
 * <p>A ceiling ({@link RegisterModel#versionCeiling}) is the highest version the key may have just before the
 * operation. Along any linearization the key's version (or, while unknown, its least possible value) never decreases,
 * so once the state's version passes some pending operation's ceiling, that operation can never be placed and the
 * configuration is a dead end: the search need not enter it.
 */
final class VersionCeilings {
    private final TreeMap<Long, Integer> countByCeiling = new TreeMap<>();

    /** Adds one pending operation's ceiling; {@link Long#MAX_VALUE} (no ceiling) is not stored. */
    void add(long ceiling) {
        if (ceiling != Long.MAX_VALUE) {
            countByCeiling.merge(ceiling, 1, Integer::sum);
        }
    }

    /** Removes one pending operation's ceiling, added before; throws IllegalStateException if it was not there. */
    void remove(long ceiling) {
        if (ceiling == Long.MAX_VALUE) {
            return;
        }
        Integer count = countByCeiling.get(ceiling);
        if (count == null) {
            throw new IllegalStateException("no pending operation has version ceiling " + ceiling);
        }
        if (count == 1) {
            countByCeiling.remove(ceiling);
        } else {
            countByCeiling.put(ceiling, count - 1);
        }
    }

    /** Returns the least ceiling of the pending operations, or {@link Long#MAX_VALUE} if none has one. */
    long least() {
        Map.Entry<Long, Integer> least = countByCeiling.firstEntry();
        return least == null ? Long.MAX_VALUE : least.getKey();
    }
}
