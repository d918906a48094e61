package io.synod.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A sorted map from byte-string keys, in unsigned lexicographic order, to values: a B+ tree whose nodes are copied on
 * write once a point-in-time view of them has been taken.
 *
 * <p>Why this shape: the loop thread must capture the whole state in microseconds, even with millions of keys, and
 * the captured state must then be written out on another thread while the loop keeps applying commands. Each node
 * records the epoch it was created in. Nodes of the current epoch are changed in place; {@link #freeze()} starts a new
 * epoch, so from then on every existing node is immutable and a change copies the path from the root down to the node
 * it changes. A {@link View} holds a frozen root and so stays exactly as it was, whatever the map does afterwards.
 *
 * <p>Threads: the map itself is used by one thread (the replica loop). A {@link View} may be read from any thread,
 * concurrently with changes to the map: its nodes are never written again, and its root is a final field, so a thread
 * that sees the view sees every node as it was when the view was taken.
 *
 * <p>Shape invariants: every leaf is at the same depth; a leaf holds at most {@link #CAPACITY} entries and a branch at
 * most {@link #CAPACITY} children; every node but the root holds at least {@link #MINIMUM}; a root branch has at
 * least two children. Unused array cells are null, so removed keys and values can be collected.
 */
final class BTreeMap<V> {
    /** The most entries of a leaf and the most children of a branch. */
    static final int CAPACITY = 64;
    /** The fewest entries or children of any node but the root. */
    static final int MINIMUM = CAPACITY / 2;
    /** How full the bulk {@link Builder} makes its nodes, leaving room so the first inserts do not all split. */
    static final int BUILD_FILL = CAPACITY - CAPACITY / 8;

    static final Comparator<byte[]> KEY_ORDER = Arrays::compareUnsigned;

    /** Receives entries in key order; returns false to stop the walk. */
    @FunctionalInterface
    interface Visitor<V> {
        boolean visit(byte[] key, V value);
    }

    /** A frozen point-in-time state of the map, readable from any thread. */
    record View<V>(Node<V> root, long size) {
        V get(byte[] key) {
            return BTreeMap.find(root, key);
        }

        /** Visits the entries whose key is at least {@code fromKey} (all of them if null), in key order. */
        void forEachFrom(byte[] fromKey, Visitor<V> visitor) {
            BTreeMap.visit(root, fromKey, visitor);
        }
    }

    private Node<V> root;
    private long size;
    private long epoch;

    BTreeMap() {
        this.root = new Leaf<>(0);
    }

    private BTreeMap(Node<V> root, long size) {
        this.root = root;
        this.size = size;
    }

    long size() {
        return size;
    }

    /** Levels from the root to the leaves, 1 for a lone leaf. */
    int height() {
        int height = 1;
        for (Node<V> node = root; node instanceof Branch<V> branch; node = branch.children[0]) {
            height++;
        }
        return height;
    }

    /** The value of {@code key}, or null if absent. */
    V get(byte[] key) {
        return find(root, key);
    }

    /** The smallest key, or null if the map is empty. */
    byte[] firstKey() {
        Leaf<V> first = firstLeaf();
        return first.count == 0 ? null : first.keys[0];
    }

    /** The value of the smallest key, or null if the map is empty. */
    V firstValue() {
        Leaf<V> first = firstLeaf();
        return first.count == 0 ? null : first.values(0);
    }

    private Leaf<V> firstLeaf() {
        Node<V> node = root;
        while (node instanceof Branch<V> branch) {
            node = branch.children[0];
        }
        return (Leaf<V>) node;
    }

    /** Visits the entries whose key is at least {@code fromKey} (all of them if null), in key order. */
    void forEachFrom(byte[] fromKey, Visitor<V> visitor) {
        visit(root, fromKey, visitor);
    }

    /** Captures the current state; changes made afterwards copy nodes instead of changing the view's nodes. */
    View<V> freeze() {
        View<V> view = new View<>(root, size);
        epoch++;
        return view;
    }

    /**
     * Sets {@code key} to {@code value}, which must not be null (null is how a lookup says "absent"). The map keeps
     * the key array, so the caller must never modify it afterwards.
     */
    void put(byte[] key, V value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("key and value must not be null");
        }
        root = own(root);
        Split<V> split = insert(root, key, value);
        if (split != null) {
            Branch<V> newRoot = new Branch<>(epoch);
            newRoot.children[0] = root;
            newRoot.children[1] = split.right();
            newRoot.separators[0] = split.separator();
            newRoot.count = 2;
            root = newRoot;
        }
    }

    /** Removes {@code key}; returns whether it was present. */
    boolean remove(byte[] key) {
        // Checking first means a miss copies no path and leaves the frozen nodes shared.
        if (find(root, key) == null) {
            return false;
        }
        root = own(root);
        removeFrom(root, key);
        size--;
        while (root instanceof Branch<V> branch && branch.count == 1) {
            root = branch.children[0];
        }
        return true;
    }

    private Node<V> own(Node<V> node) {
        return node.epoch == epoch ? node : node.copy(epoch);
    }

    private Split<V> insert(Node<V> node, byte[] key, V value) {
        return switch (node) {
            case Leaf<V> leaf -> insertIntoLeaf(leaf, key, value);
            case Branch<V> branch -> insertIntoBranch(branch, key, value);
        };
    }

    private Split<V> insertIntoLeaf(Leaf<V> leaf, byte[] key, V value) {
        int index = leaf.search(key);
        if (index >= 0) {
            leaf.values[index] = value;
            return null;
        }
        leaf.insertAt(-index - 1, key, value);
        size++;
        return leaf.count > CAPACITY ? leaf.split(epoch) : null;
    }

    private Split<V> insertIntoBranch(Branch<V> branch, byte[] key, V value) {
        int index = branch.childIndex(key);
        Node<V> child = own(branch.children[index]);
        branch.children[index] = child;
        Split<V> split = insert(child, key, value);
        if (split == null) {
            return null;
        }
        branch.insertChildAt(index + 1, split.separator(), split.right());
        return branch.count > CAPACITY ? branch.split(epoch) : null;
    }

    private void removeFrom(Node<V> node, byte[] key) {
        switch (node) {
            case Leaf<V> leaf -> leaf.removeAt(leaf.search(key));
            case Branch<V> branch -> {
                int index = branch.childIndex(key);
                Node<V> child = own(branch.children[index]);
                branch.children[index] = child;
                removeFrom(child, key);
                if (child.count < MINIMUM) {
                    rebalance(branch, index);
                }
            }
        }
    }

    /** Refills the under-full child at {@code index} from a sibling: merges the two, or shares their entries. */
    private void rebalance(Branch<V> parent, int index) {
        int leftIndex = index + 1 < parent.count ? index : index - 1;
        Node<V> left = own(parent.children[leftIndex]);
        Node<V> right = own(parent.children[leftIndex + 1]);
        parent.children[leftIndex] = left;
        parent.children[leftIndex + 1] = right;
        byte[] separator = mergeOrShare(left, right, parent.separators[leftIndex]);
        if (separator == null) {
            parent.removeChildAt(leftIndex + 1);
        } else {
            parent.separators[leftIndex] = separator;
        }
    }

    /**
     * Moves everything into {@code left} if it fits (returns null; {@code right} is then to be dropped), otherwise
     * shares the entries evenly and returns the new separator between the two. Both nodes must be owned and at the
     * same depth; {@code separator} is the one between them in their parent.
     */
    static <V> byte[] mergeOrShare(Node<V> left, Node<V> right, byte[] separator) {
        return switch (left) {
            case Leaf<V> leftLeaf -> Leaf.mergeOrShare(leftLeaf, (Leaf<V>) right);
            case Branch<V> leftBranch -> Branch.mergeOrShare(leftBranch, (Branch<V>) right, separator);
        };
    }

    static <V> V find(Node<V> root, byte[] key) {
        Node<V> node = root;
        while (node instanceof Branch<V> branch) {
            node = branch.children[branch.childIndex(key)];
        }
        Leaf<V> leaf = (Leaf<V>) node;
        int index = leaf.search(key);
        return index >= 0 ? leaf.values(index) : null;
    }

    static <V> boolean visit(Node<V> node, byte[] fromKey, Visitor<V> visitor) {
        return switch (node) {
            case Leaf<V> leaf -> visitLeaf(leaf, fromKey, visitor);
            case Branch<V> branch -> visitBranch(branch, fromKey, visitor);
        };
    }

    private static <V> boolean visitLeaf(Leaf<V> leaf, byte[] fromKey, Visitor<V> visitor) {
        int start = 0;
        if (fromKey != null) {
            int index = leaf.search(fromKey);
            start = index >= 0 ? index : -index - 1;
        }
        for (int i = start; i < leaf.count; i++) {
            if (!visitor.visit(leaf.keys[i], leaf.values(i))) {
                return false;
            }
        }
        return true;
    }

    private static <V> boolean visitBranch(Branch<V> branch, byte[] fromKey, Visitor<V> visitor) {
        int start = fromKey == null ? 0 : branch.childIndex(fromKey);
        for (int i = start; i < branch.count; i++) {
            // Only the first child visited can hold keys below fromKey; the later ones are visited whole.
            if (!visit(branch.children[i], i == start ? fromKey : null, visitor)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks every shape invariant and the entry count; throws {@link IllegalStateException} on the first one broken.
     * It walks the whole tree, so it is for tests.
     */
    void checkInvariants() {
        long[] counted = {0};
        int[] leafDepth = {-1};
        checkNode(root, null, null, 0, true, counted, leafDepth);
        if (counted[0] != size) {
            throw new IllegalStateException("size " + size + " but " + counted[0] + " entries");
        }
    }

    private static <V> void checkNode(
            Node<V> node, byte[] low, byte[] high, int depth, boolean isRoot, long[] counted, int[] leafDepth) {
        int minimum = isRoot ? (node instanceof Branch ? 2 : 0) : MINIMUM;
        if (node.count < minimum || node.count > CAPACITY) {
            throw new IllegalStateException("node of " + node.count + " at depth " + depth);
        }
        switch (node) {
            case Leaf<V> leaf -> {
                checkAscending(leaf.keys, leaf.count, low, high);
                checkNullBeyond(leaf.keys, leaf.count);
                checkNullBeyond(leaf.values, leaf.count);
                if (leafDepth[0] >= 0 && leafDepth[0] != depth) {
                    throw new IllegalStateException("leaves at depths " + leafDepth[0] + " and " + depth);
                }
                leafDepth[0] = depth;
                counted[0] += leaf.count;
            }
            case Branch<V> branch -> {
                checkAscending(branch.separators, branch.count - 1, low, high);
                checkNullBeyond(branch.separators, branch.count - 1);
                checkNullBeyond(branch.children, branch.count);
                for (int i = 0; i < branch.count; i++) {
                    byte[] childLow = i == 0 ? low : branch.separators[i - 1];
                    byte[] childHigh = i == branch.count - 1 ? high : branch.separators[i];
                    checkNode(branch.children[i], childLow, childHigh, depth + 1, false, counted, leafDepth);
                }
            }
        }
    }

    private static void checkAscending(byte[][] keys, int count, byte[] low, byte[] high) {
        for (int i = 0; i < count; i++) {
            boolean aboveLow = low == null || KEY_ORDER.compare(keys[i], low) >= 0;
            boolean belowHigh = high == null || KEY_ORDER.compare(keys[i], high) < 0;
            boolean ascending = i == 0 || KEY_ORDER.compare(keys[i - 1], keys[i]) < 0;
            if (!aboveLow || !belowHigh || !ascending) {
                throw new IllegalStateException("key " + i + " out of order or out of its bounds");
            }
        }
    }

    private static void checkNullBeyond(Object[] cells, int count) {
        for (int i = Math.max(count, 0); i < cells.length; i++) {
            if (cells[i] != null) {
                throw new IllegalStateException("unused cell " + i + " still holds a reference");
            }
        }
    }

    /** The two halves of a node that outgrew {@link #CAPACITY}: the new right node and the smallest key it may hold. */
    record Split<V>(byte[] separator, Node<V> right) {}

    /** A tree node. {@code count} is a leaf's entries or a branch's children. */
    abstract static sealed class Node<V> permits Leaf, Branch {
        final long epoch;
        int count;

        Node(long epoch) {
            this.epoch = epoch;
        }

        abstract Node<V> copy(long newEpoch);
    }

    /** A leaf: {@code count} keys in ascending order and their values, in arrays with one spare cell for a split. */
    static final class Leaf<V> extends Node<V> {
        final byte[][] keys;
        final Object[] values;

        Leaf(long epoch) {
            this(epoch, new byte[CAPACITY + 1][], new Object[CAPACITY + 1]);
        }

        private Leaf(long epoch, byte[][] keys, Object[] values) {
            super(epoch);
            this.keys = keys;
            this.values = values;
        }

        @Override
        Leaf<V> copy(long newEpoch) {
            Leaf<V> copy = new Leaf<>(newEpoch, keys.clone(), values.clone());
            copy.count = count;
            return copy;
        }

        @SuppressWarnings("unchecked")
        V values(int index) {
            return (V) values[index];
        }

        /** The key's index if present, else {@code -(insertion point) - 1}. */
        int search(byte[] key) {
            return Arrays.binarySearch(keys, 0, count, key, KEY_ORDER);
        }

        void insertAt(int index, byte[] key, Object value) {
            System.arraycopy(keys, index, keys, index + 1, count - index);
            System.arraycopy(values, index, values, index + 1, count - index);
            keys[index] = key;
            values[index] = value;
            count++;
        }

        void removeAt(int index) {
            System.arraycopy(keys, index + 1, keys, index, count - index - 1);
            System.arraycopy(values, index + 1, values, index, count - index - 1);
            count--;
            keys[count] = null;
            values[count] = null;
        }

        /** Appends an entry whose key is above every key here; for merges and the bulk builder. */
        void append(byte[] key, Object value) {
            keys[count] = key;
            values[count] = value;
            count++;
        }

        Split<V> split(long epoch) {
            Leaf<V> right = new Leaf<>(epoch);
            moveTailToFront(this, right, count / 2);
            return new Split<>(right.keys[0], right);
        }

        static <V> byte[] mergeOrShare(Leaf<V> left, Leaf<V> right) {
            int total = left.count + right.count;
            if (total <= CAPACITY) {
                moveHead(right, left, right.count);
                return null;
            }
            // The entries do not fit in one node: share them evenly, so both end up at least half full.
            int leftTarget = total - total / 2;
            if (left.count < leftTarget) {
                moveHead(right, left, leftTarget - left.count);
            } else {
                moveTailToFront(left, right, left.count - leftTarget);
            }
            return right.keys[0];
        }

        /** Moves the first {@code moved} entries of {@code from} to the end of {@code to}, its left neighbour. */
        private static <V> void moveHead(Leaf<V> from, Leaf<V> to, int moved) {
            System.arraycopy(from.keys, 0, to.keys, to.count, moved);
            System.arraycopy(from.values, 0, to.values, to.count, moved);
            to.count += moved;
            int remaining = from.count - moved;
            System.arraycopy(from.keys, moved, from.keys, 0, remaining);
            System.arraycopy(from.values, moved, from.values, 0, remaining);
            Arrays.fill(from.keys, remaining, from.count, null);
            Arrays.fill(from.values, remaining, from.count, null);
            from.count = remaining;
        }

        /** Moves the last {@code moved} entries of {@code from} to the front of {@code to}, its right neighbour. */
        private static <V> void moveTailToFront(Leaf<V> from, Leaf<V> to, int moved) {
            int start = from.count - moved;
            System.arraycopy(to.keys, 0, to.keys, moved, to.count);
            System.arraycopy(to.values, 0, to.values, moved, to.count);
            System.arraycopy(from.keys, start, to.keys, 0, moved);
            System.arraycopy(from.values, start, to.values, 0, moved);
            to.count += moved;
            Arrays.fill(from.keys, start, from.count, null);
            Arrays.fill(from.values, start, from.count, null);
            from.count = start;
        }
    }

    /**
     * A branch: {@code count} children and {@code count - 1} separators; {@code separators[i]} is the smallest key
     * child {@code i + 1} may hold, and child {@code i} holds only keys below it. One spare cell for a split.
     */
    static final class Branch<V> extends Node<V> {
        final byte[][] separators;
        final Node<V>[] children;

        Branch(long epoch) {
            this(epoch, new byte[CAPACITY][], newChildren());
        }

        private Branch(long epoch, byte[][] separators, Node<V>[] children) {
            super(epoch);
            this.separators = separators;
            this.children = children;
        }

        @SuppressWarnings("unchecked")
        private static <V> Node<V>[] newChildren() {
            return (Node<V>[]) new Node<?>[CAPACITY + 1];
        }

        @Override
        Branch<V> copy(long newEpoch) {
            Branch<V> copy = new Branch<>(newEpoch, separators.clone(), children.clone());
            copy.count = count;
            return copy;
        }

        /** The index of the child whose key range holds {@code key}: the number of separators at or below it. */
        int childIndex(byte[] key) {
            int index = Arrays.binarySearch(separators, 0, count - 1, key, KEY_ORDER);
            return index >= 0 ? index + 1 : -index - 1;
        }

        void insertChildAt(int index, byte[] separator, Node<V> child) {
            System.arraycopy(children, index, children, index + 1, count - index);
            System.arraycopy(separators, index - 1, separators, index, count - index);
            children[index] = child;
            separators[index - 1] = separator;
            count++;
        }

        void removeChildAt(int index) {
            System.arraycopy(children, index + 1, children, index, count - index - 1);
            System.arraycopy(separators, index, separators, index - 1, count - index - 1);
            count--;
            children[count] = null;
            separators[count - 1] = null;
        }

        /** Appends a child above every child here, with the separator below it (ignored for the first child). */
        void append(byte[] separator, Node<V> child) {
            if (count > 0) {
                separators[count - 1] = separator;
            }
            children[count] = child;
            count++;
        }

        Split<V> split(long epoch) {
            Branch<V> right = new Branch<>(epoch);
            byte[] separator = moveTailToFront(this, right, count / 2, null);
            return new Split<>(separator, right);
        }

        /** Like {@link Leaf#mergeOrShare}; the parent's separator between the two moves down between their children. */
        static <V> byte[] mergeOrShare(Branch<V> left, Branch<V> right, byte[] separator) {
            int total = left.count + right.count;
            if (total <= CAPACITY) {
                moveHead(right, left, right.count, separator);
                return null;
            }
            int leftTarget = total - total / 2;
            if (left.count < leftTarget) {
                return moveHead(right, left, leftTarget - left.count, separator);
            }
            return moveTailToFront(left, right, left.count - leftTarget, separator);
        }

        /**
         * Moves the first {@code moved} children of {@code from} to the end of {@code to}, its left neighbour, where
         * {@code separator} divides the two. Returns the new separator between them, or null if all children moved.
         */
        private static <V> byte[] moveHead(Branch<V> from, Branch<V> to, int moved, byte[] separator) {
            to.append(separator, from.children[0]);
            for (int i = 1; i < moved; i++) {
                to.append(from.separators[i - 1], from.children[i]);
            }
            int remaining = from.count - moved;
            byte[] raised = remaining > 0 ? from.separators[moved - 1] : null;
            System.arraycopy(from.children, moved, from.children, 0, remaining);
            if (remaining > 0) {
                System.arraycopy(from.separators, moved, from.separators, 0, remaining - 1);
            }
            Arrays.fill(from.children, remaining, from.count, null);
            Arrays.fill(from.separators, Math.max(remaining - 1, 0), from.count - 1, null);
            from.count = remaining;
            return raised;
        }

        /**
         * Moves the last {@code moved} children of {@code from} to the front of {@code to}, its right neighbour, where
         * {@code separator} divides the two (unused if {@code to} is empty, as in a split). Returns the new separator.
         */
        private static <V> byte[] moveTailToFront(Branch<V> from, Branch<V> to, int moved, byte[] separator) {
            if (to.count > 0) {
                System.arraycopy(to.children, 0, to.children, moved, to.count);
                System.arraycopy(to.separators, 0, to.separators, moved, to.count - 1);
                to.separators[moved - 1] = separator;
            }
            int start = from.count - moved;
            System.arraycopy(from.children, start, to.children, 0, moved);
            System.arraycopy(from.separators, start, to.separators, 0, moved - 1);
            byte[] raised = from.separators[start - 1];
            Arrays.fill(from.children, start, from.count, null);
            Arrays.fill(from.separators, start - 1, from.count - 1, null);
            to.count += moved;
            from.count = start;
            return raised;
        }
    }

    /**
     * Builds a map from entries given in strictly ascending key order, level by level, without the cost of one
     * insert per entry; used by restore. Nodes are filled to {@link #BUILD_FILL}.
     */
    static final class Builder<V> {
        private final List<Node<V>> leaves = new ArrayList<>();
        private final List<byte[]> leafLowKeys = new ArrayList<>();
        private Leaf<V> current;
        private byte[] lastKey;
        private long size;

        /** Appends an entry; throws {@link IllegalArgumentException} if its key is not above the previous key. */
        void append(byte[] key, V value) {
            if (lastKey != null && KEY_ORDER.compare(lastKey, key) >= 0) {
                throw new IllegalArgumentException("keys are not in strictly ascending order");
            }
            if (current == null || current.count == BUILD_FILL) {
                current = new Leaf<>(0);
                leaves.add(current);
                leafLowKeys.add(key);
            }
            current.append(key, value);
            lastKey = key;
            size++;
        }

        BTreeMap<V> build() {
            if (leaves.isEmpty()) {
                return new BTreeMap<>();
            }
            List<Node<V>> level = leaves;
            List<byte[]> lowKeys = leafLowKeys;
            fixLastNode(level, lowKeys);
            while (level.size() > 1) {
                List<Node<V>> parents = new ArrayList<>();
                List<byte[]> parentLowKeys = new ArrayList<>();
                groupUnderParents(level, lowKeys, parents, parentLowKeys);
                fixLastNode(parents, parentLowKeys);
                level = parents;
                lowKeys = parentLowKeys;
            }
            return new BTreeMap<>(level.get(0), size);
        }

        private static <V> void groupUnderParents(
                List<Node<V>> level, List<byte[]> lowKeys, List<Node<V>> parents, List<byte[]> parentLowKeys) {
            Branch<V> parent = null;
            for (int i = 0; i < level.size(); i++) {
                if (parent == null || parent.count == BUILD_FILL) {
                    parent = new Branch<>(0);
                    parents.add(parent);
                    parentLowKeys.add(lowKeys.get(i));
                }
                parent.append(lowKeys.get(i), level.get(i));
            }
        }

        /** The last node of a level may be under-full; merging or sharing with its neighbour makes it whole. */
        private static <V> void fixLastNode(List<Node<V>> level, List<byte[]> lowKeys) {
            int last = level.size() - 1;
            if (last == 0 || level.get(last).count >= MINIMUM) {
                return;
            }
            byte[] separator = mergeOrShare(level.get(last - 1), level.get(last), lowKeys.get(last));
            if (separator == null) {
                level.remove(last);
                lowKeys.remove(last);
            } else {
                lowKeys.set(last, separator);
            }
        }
    }
}
