package io.synod.sim.history;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The configurations {@link KeySearch} has entered: which operations of known outcome are placed, which of unknown
 * outcome are, the state they leave, and whether the next operation must be one enabled by an unknown-outcome
 * operation just placed. It answers whether a new configuration is worth entering.
 *
 * <p>Operations of unknown outcome never have to be placed, so they would make the plain memo of Wing and Gong blow
 * up: every subset of them that leaves the same state is a new configuration. This memo prunes by domination instead
 * of equality: a configuration with the same known-outcome set, state and constraint as one entered before, and a
 * superset of its unknown-outcome set, has only fewer ways on (the same operations are left, minus some that never
 * have to happen), so whatever it could reach, the earlier one could too. The earlier one is either fully explored and
 * failed, or still on the search's stack; it cannot be an ancestor with the same state, because an unknown-outcome
 * write always leaves the version unknown and higher than before, so the search never returns to a state without
 * placing an operation of known outcome. Either way the new configuration need not be entered.
 *
 * <p>The known-outcome set is hashed incrementally by the caller (an exclusive-or of one random number per operation,
 * Zobrist hashing), so a look-up does not rehash the whole set.
 */
final class ConfigurationMemo {
    /** The part of a configuration compared for equality. */
    private static final class Placed {
        final BitSet definite;
        final long definiteHash;
        final RegisterState state;
        final RegisterState enabledFrom;

        Placed(BitSet definite, long definiteHash, RegisterState state, RegisterState enabledFrom) {
            this.definite = definite;
            this.definiteHash = definiteHash;
            this.state = state;
            this.enabledFrom = enabledFrom;
        }

        @Override
        public int hashCode() {
            long mixed = definiteHash * 0x9E3779B97F4A7C15L + state.hashCode() * 31L + Objects.hashCode(enabledFrom);
            return (int) (mixed ^ (mixed >>> 32));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Placed placed && placed.definiteHash == definiteHash && placed.state.equals(state)
                    && Objects.equals(placed.enabledFrom, enabledFrom) && placed.definite.equals(definite);
        }
    }

    private final Map<Placed, List<long[]>> unknownSetsByPlaced = new HashMap<>();

    /**
     * Records the configuration and returns true if it is new and not dominated by one entered before; returns false,
     * recording nothing, otherwise. {@code definiteHash} must be the same for equal known-outcome sets. The caller
     * keeps ownership of the bit sets: they are copied when stored.
     */
    boolean enter(BitSet definite, long definiteHash, BitSet unknown, RegisterState state, RegisterState enabledFrom) {
        Placed placed = new Placed(definite, definiteHash, state, enabledFrom);
        List<long[]> unknownSets = unknownSetsByPlaced.get(placed);
        long[] words = unknown.toLongArray();
        if (unknownSets == null) {
            unknownSets = new ArrayList<>(1);
            unknownSetsByPlaced.put(new Placed((BitSet) definite.clone(), definiteHash, state, enabledFrom),
                    unknownSets);
        }
        for (long[] earlier : unknownSets) {
            if (isSubset(earlier, words)) {
                return false;
            }
        }
        for (Iterator<long[]> earlier = unknownSets.iterator(); earlier.hasNext(); ) {
            if (isSubset(words, earlier.next())) {
                earlier.remove();
            }
        }
        unknownSets.add(words);
        return true;
    }

    private static boolean isSubset(long[] small, long[] large) {
        for (int index = 0; index < small.length; index++) {
            long covering = index < large.length ? large[index] : 0;
            if ((small[index] & ~covering) != 0) {
                return false;
            }
        }
        return true;
    }
}
