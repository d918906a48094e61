package io.synod.sim.history;

import io.synod.sim.history.EntryList.Entry;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;

/**
 * The linearizability search on one key's sub-history: Wing and Gong's backtracking search with Lowe's just-in-time
 * linearization and a memo of configurations already explored. {@link LinearizabilityChecker} runs one per key.
 *
 * <p>The search walks an {@link EntryList}. The candidates to place next are the calls of known outcome before the
 * first return entry (the window), and the unknown-outcome calls invoked no later than that return. The walk first
 * goes over the known-outcome candidates from the head, then over the unknown-outcome ones. When a candidate can be
 * placed and the resulting configuration is worth entering, the search pushes it with the old state, lifts its entries
 * out of the lists and restarts from the head. When the candidates are exhausted, the operation whose return bounds
 * the window has not been placed and cannot be placed after its return: the search pops the last placed operation,
 * puts it back, and resumes the walk after it. Exhausting the candidates with nothing placed means no linearization
 * exists; placing every operation of known outcome means one does (unknown-outcome operations left over never took
 * effect).
 *
 * <p>Three prunings keep the search small; each only skips configurations from which no linearization can follow, or
 * that an explored one covers:
 * <ul>
 *   <li>{@link VersionCeilings}: a placement that takes the key's version past what some pending operation of known
 *       outcome needs is a dead end.</li>
 *   <li>An operation of unknown outcome is placed only where it enables the next operation placed: roughly, one that
 *       the model refuses in the state before it and allows after it ({@link Enabling} has the exact rule). Any
 *       linearization can be rearranged into that form. Take an unknown operation U placed in state S and followed by
 *       an operation N that S allows too. If N leaves the state as it was (a 412 that names no version), U can move
 *       after N. Otherwise N leaves, without U, the same state or a more permissive one (one that allows every
 *       operation the other allows, into a state at least as permissive again): a write of known outcome or a delete
 *       sets the state from its own answer, a read fixes value and version, an unknown-outcome write gets a lower
 *       least version, a read of absent finds a lower last version. So U can be dropped. The exception is a 412
 *       that names the current version, which fixes the version but not the value: it counts as enabled whenever it
 *       fits. Repeating this ends, since each step drops an unknown operation or moves one later. So nothing is lost,
 *       and writes that never happened stay out of the way.</li>
 *   <li>{@link ConfigurationMemo}: a configuration covered by one entered before is not entered again.</li>
 * </ul>
 *
 * <p>For the failure report the search remembers the deepest path it reached, deepest meaning the most operations of
 * known outcome placed and, among those, the fewest of unknown outcome; after a failed search it rebuilds that
 * configuration once and explains each candidate there.
 *
 * <p>The memo holds bit sets per configuration, so memory grows with configurations times operations; the bound on
 * configurations bounds both.
 */
final class KeySearch {
    /** How many operations at the end of the deepest prefix a verdict keeps for the report. */
    static final int PREFIX_KEPT = 10;

    private final long maxConfigurations;
    private final EntryList list;
    private final VersionCeilings ceilings = new VersionCeilings();
    private final ConfigurationMemo memo = new ConfigurationMemo();
    private final BitSet definiteSet = new BitSet();
    private final BitSet unknownSet = new BitSet();
    private final long mostIterations;
    private long definiteHash;
    private Frame top;
    private Frame deepest;
    private RegisterState state = RegisterState.INITIAL;
    /** Right after an unknown-outcome operation is placed, the state before it; else null. */
    private RegisterState enabledFrom;
    /** The index of what the current configuration's unknown-outcome candidates could enable, built when needed. */
    private Enabling enabling;
    private long configurations;
    private boolean ran;
    // The walk's position: in the main list, or among the unknown-outcome calls with the return bounding the window.
    private Entry entry;
    private boolean unknownPass;
    private Entry window;

    /**
     * Prepares a search over {@code operations}, all on one key and none of them stale reads or unknown reads, allowed
     * to enter at most {@code maxConfigurations} configurations. Throws IllegalArgumentException if the bound is not
     * positive.
     */
    KeySearch(List<Operation> operations, long maxConfigurations) {
        if (maxConfigurations < 1) {
            throw new IllegalArgumentException("the search needs a bound of at least one configuration, got "
                    + maxConfigurations);
        }
        this.maxConfigurations = maxConfigurations;
        this.list = new EntryList(operations);
        for (Entry call = list.first(); call != null; call = call.next) {
            if (call.call) {
                ceilings.add(call.ceiling);
            }
        }
        // Each configuration entered starts one walk from the head and each back-up resumes one; a walk passes each
        // entry at most once.
        this.mostIterations = saturatingMultiply(2 * (maxConfigurations + 1), 2L * operations.size() + 2);
    }

    /**
     * A placed operation, as one link of the placed path (an immutable list whose head is the last placed): its call
     * entry; the states before and after it; the state before the unknown-outcome operation it had to follow (null if
     * none); for an unknown-outcome operation, the return entry that bounded the window it was placed from; and the
     * path before it. Keeping the deepest path is then one reference.
     */
    private record Frame(Entry call, RegisterState before, RegisterState after, RegisterState enabledFrom,
            Entry window, Frame parent, int depth, int definiteDepth) {}

    /**
     * Runs the search and returns the verdict; the same operations always give the same verdict. A search runs once:
     * a second call throws IllegalStateException.
     */
    KeyVerdict run() {
        if (ran) {
            throw new IllegalStateException("a key search runs once");
        }
        ran = true;
        restartWalk();
        for (long iteration = 0; ; iteration++) {
            if (iteration > mostIterations) {
                throw new IllegalStateException("the search walked more entries than its bound allows: a bug");
            }
            if (!unknownPass && entry == null) {
                return new KeyVerdict(KeyVerdict.Outcome.LINEARIZABLE, configurations, null);
            }
            if (!unknownPass && !entry.call) {
                unknownPass = true;
                window = entry;
                entry = list.firstUnknown();
            } else if (unknownPass && (entry == null || entry.time > window.time)) {
                if (top == null) {
                    return new KeyVerdict(KeyVerdict.Outcome.NOT_LINEARIZABLE, configurations, stuckAt());
                }
                backUp();
            } else if (!tryToPlace()) {
                entry = entry.next;
            } else if (configurations > maxConfigurations) {
                return new KeyVerdict(KeyVerdict.Outcome.INCONCLUSIVE, maxConfigurations, prefixOnly(deepest));
            }
        }
    }

    private void restartWalk() {
        entry = list.first();
        unknownPass = false;
        window = null;
    }

    /**
     * Places the candidate at the walk's position if it can go now and the configuration it leads to is worth
     * entering, and restarts the walk; returns whether it did.
     */
    private boolean tryToPlace() {
        boolean unknown = unknownPass;
        RegisterState next = null;
        if (enabledFrom == null || Enabling.mayFollowChangeFrom(enabledFrom, entry.operation)) {
            next = placeable(entry, state, ceilings);
        }
        if (next != null && unknown) {
            enabling = enabling == null ? new Enabling(list, window, state) : enabling;
            next = enabling.enablesAnother(next) ? next : null;
        }
        if (next == null) {
            return false;
        }
        long nextHash = unknown ? definiteHash : definiteHash ^ zobrist(entry.index);
        BitSet placedSet = unknown ? unknownSet : definiteSet;
        placedSet.set(entry.index);
        RegisterState nextEnabledFrom = unknown ? state : null;
        if (!memo.enter(definiteSet, nextHash, unknownSet, next, nextEnabledFrom)) {
            placedSet.clear(entry.index);
            return false;
        }
        configurations++;
        int depth = top == null ? 1 : top.depth() + 1;
        int definiteDepth = (top == null ? 0 : top.definiteDepth()) + (unknown ? 0 : 1);
        top = new Frame(entry, state, next, enabledFrom, unknown ? window : null, top, depth, definiteDepth);
        if (isDeeper(top, deepest)) {
            deepest = top;
        }
        state = next;
        enabledFrom = nextEnabledFrom;
        definiteHash = nextHash;
        enabling = null;
        list.lift(entry);
        if (!unknown) {
            ceilings.remove(entry.ceiling);
        }
        restartWalk();
        return true;
    }

    /** Un-places the last placed operation and resumes the walk right after it, in the pass that placed it. */
    private void backUp() {
        Entry call = top.call();
        if (call.operation.isUnknown()) {
            unknownSet.clear(call.index);
        } else {
            definiteSet.clear(call.index);
            definiteHash ^= zobrist(call.index);
            ceilings.add(call.ceiling);
        }
        state = top.before();
        enabledFrom = top.enabledFrom();
        enabling = null;
        list.unlift(call);
        entry = call.next;
        unknownPass = call.operation.isUnknown();
        window = top.window();
        top = top.parent();
    }

    /**
     * Returns the state after placing the operation of {@code call} now, or null if the model refuses it or it leaves
     * the version past the ceiling of a pending operation of known outcome.
     */
    private static RegisterState placeable(Entry call, RegisterState state, VersionCeilings ceilings) {
        if (!(RegisterModel.step(state, call.operation) instanceof Step.Allowed allowed)) {
            return null;
        }
        RegisterState next = allowed.next();
        if (call.operation.isUnknown()) {
            return next.version() <= ceilings.least() ? next : null;
        }
        ceilings.remove(call.ceiling);
        boolean withinCeilings = next.version() <= ceilings.least();
        ceilings.add(call.ceiling);
        return withinCeilings ? next : null;
    }

    /**
     * Returns true if {@code path} goes deeper than {@code deepest}: more operations of known outcome placed, or as
     * many and fewer of unknown outcome (which explain least).
     */
    private static boolean isDeeper(Frame path, Frame deepest) {
        if (deepest == null) {
            return true;
        }
        int unknownPlaced = path.depth() - path.definiteDepth();
        int deepestUnknownPlaced = deepest.depth() - deepest.definiteDepth();
        return path.definiteDepth() > deepest.definiteDepth()
                || path.definiteDepth() == deepest.definiteDepth() && unknownPlaced < deepestUnknownPlaced;
    }

    /** A random-looking but fixed 64-bit number for the known-outcome operation at {@code index} (SplitMix64). */
    private static long zobrist(int index) {
        long mixed = (index + 1) * 0x9E3779B97F4A7C15L;
        mixed = (mixed ^ (mixed >>> 30)) * 0xBF58476D1CE4E5B9L;
        mixed = (mixed ^ (mixed >>> 27)) * 0x94D049BB133111EBL;
        return mixed ^ (mixed >>> 31);
    }

    /** The deepest prefix without where it got stuck, for an inconclusive verdict. */
    private static KeyVerdict.Deepest prefixOnly(Frame deepest) {
        return new KeyVerdict.Deepest(deepest == null ? 0 : deepest.depth(), lastSteps(deepest),
                deepest == null ? RegisterState.INITIAL : deepest.after(), null, List.of());
    }

    /**
     * Rebuilds the deepest configuration on {@code list} (which the finished search left whole), finds the return
     * entry that bounds its window, and explains every candidate there. Called once, for a failure report.
     */
    private KeyVerdict.Deepest stuckAt() {
        List<Entry> path = new ArrayList<>();
        for (Frame frame = deepest; frame != null; frame = frame.parent()) {
            path.add(frame.call());
        }
        Collections.reverse(path);
        for (Entry call : path) {
            list.lift(call);
            if (!call.operation.isUnknown()) {
                ceilings.remove(call.ceiling);
            }
        }
        RegisterState state = deepest == null ? RegisterState.INITIAL : deepest.after();
        Entry window = list.firstReturn();
        if (window == null) {
            throw new IllegalStateException("a failed search's deepest configuration placed every operation");
        }
        List<KeyVerdict.Candidate> candidates = new ArrayList<>();
        candidates.add(candidate(list, window, window.match, state, ceilings));
        for (Entry entry = list.first(); entry != window; entry = entry.next) {
            if (entry != window.match) {
                candidates.add(candidate(list, window, entry, state, ceilings));
            }
        }
        for (Entry entry = list.firstUnknown(); entry != null && entry.time <= window.time; entry = entry.next) {
            candidates.add(candidate(list, window, entry, state, ceilings));
        }
        return new KeyVerdict.Deepest(path.size(), lastSteps(deepest), state, window.operation, candidates);
    }

    /** Explains why the candidate at {@code call} cannot go next in {@code state}. */
    private static KeyVerdict.Candidate candidate(EntryList list, Entry window, Entry call, RegisterState state,
            VersionCeilings ceilings) {
        String reason = switch (RegisterModel.step(state, call.operation)) {
            case Step.Refused refused -> refused.reason().get();
            case Step.Allowed allowed -> whyNotPlaced(list, window, call, state, allowed.next(), ceilings);
        };
        return new KeyVerdict.Candidate(call.operation, reason);
    }

    private static String whyNotPlaced(EntryList list, Entry window, Entry call, RegisterState state,
            RegisterState next, VersionCeilings ceilings) {
        if (next.version() > ceilings.least()) {
            for (Entry entry = list.first(); entry != null; entry = entry.next) {
                if (entry.call && entry != call && entry.ceiling < next.version()) {
                    return "it fits here, but leaves the key at " + Describe.state(next) + ", and then "
                            + Describe.operation(entry.operation) + " could never take effect (it needs the version "
                            + "at most " + entry.ceiling + ")";
                }
            }
        }
        if (call.operation.isUnknown() && !new Enabling(list, window, state).enablesAnother(next)) {
            return "it could take effect here, but that would let nothing else go next";
        }
        return "it fits here, but every way on from there was already explored and failed";
    }

    private static List<KeyVerdict.PrefixStep> lastSteps(Frame deepest) {
        List<KeyVerdict.PrefixStep> lastSteps = new ArrayList<>();
        for (Frame frame = deepest; frame != null && lastSteps.size() < PREFIX_KEPT; frame = frame.parent()) {
            lastSteps.add(new KeyVerdict.PrefixStep(frame.call().operation, frame.after()));
        }
        Collections.reverse(lastSteps);
        return List.copyOf(lastSteps);
    }

    private static long saturatingMultiply(long left, long right) {
        long high = Math.multiplyHigh(left, right);
        return high != 0 || left * right < 0 ? Long.MAX_VALUE : left * right;
    }
}
