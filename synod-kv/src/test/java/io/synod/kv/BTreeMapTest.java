package io.synod.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The copy-on-write B+ tree under the key-value store, checked against {@link TreeMap}. */
class BTreeMapTest {
    private static final int KEY_SPACE = 6_000;

    /**
     * Proves the tree is a correct sorted map through many splits, merges and shares over three levels, and that its
     * shape invariants hold: random puts and removes, a fixed seed, compared with a TreeMap after every step.
     */
    @Test
    void randomPutsAndRemovesMatchTreeMap() {
        SplittableRandom random = new SplittableRandom(42);
        BTreeMap<Integer> tree = new BTreeMap<>();
        TreeMap<byte[], Integer> model = new TreeMap<>(BTreeMap.KEY_ORDER);
        int heightMax = 0;
        for (int step = 0; step < 60_000; step++) {
            // Growing for the first half and shrinking for the second drives the tree up to three levels and back.
            boolean growing = step < 30_000;
            byte[] key = key(random.nextInt(KEY_SPACE));
            if (random.nextInt(100) < (growing ? 75 : 20)) {
                tree.put(key, step);
                model.put(key, step);
            } else {
                assertThat(tree.remove(key)).isEqualTo(model.remove(key) != null);
            }
            assertThat(tree.get(key)).isEqualTo(model.get(key));
            heightMax = Math.max(heightMax, tree.height());
            if (step % 2_000 == 0) {
                tree.checkInvariants();
                assertThat(contents(tree)).containsExactlyElementsOf(toList(model));
            }
        }
        tree.checkInvariants();
        assertThat(contents(tree)).containsExactlyElementsOf(toList(model));
        assertThat(heightMax).as("the test must drive the tree to three levels").isEqualTo(3);
        assertThat(tree.height()).as("and back down").isLessThan(3);
    }

    /**
     * Proves a frozen view keeps the state of its moment while the map changes under copy-on-write: views are taken
     * every few hundred steps, and at the end each still equals the model copied when it was taken.
     */
    @Test
    void frozenViewsNeverChange() {
        SplittableRandom random = new SplittableRandom(7);
        BTreeMap<Integer> tree = new BTreeMap<>();
        TreeMap<byte[], Integer> model = new TreeMap<>(BTreeMap.KEY_ORDER);
        List<BTreeMap.View<Integer>> views = new ArrayList<>();
        List<List<String>> expected = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            byte[] key = key(random.nextInt(3_000));
            if (random.nextInt(100) < 60) {
                tree.put(key, step);
                model.put(key, step);
            } else {
                tree.remove(key);
                model.remove(key);
            }
            if (step % 500 == 0) {
                views.add(tree.freeze());
                expected.add(toList(model));
            }
        }
        for (int i = 0; i < views.size(); i++) {
            assertThat(contents(views.get(i))).containsExactlyElementsOf(expected.get(i));
            assertThat(views.get(i).size()).isEqualTo(expected.get(i).size());
        }
        tree.checkInvariants();
    }

    /** Proves the bulk builder makes a valid tree for sizes around every node boundary, including empty. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 31, 32, 55, 56, 57, 64, 65, 87, 88, 89, 3_136, 3_137, 3_200, 100_000})
    void builderMakesValidTrees(int count) {
        BTreeMap.Builder<Integer> builder = new BTreeMap.Builder<>();
        TreeMap<byte[], Integer> model = new TreeMap<>(BTreeMap.KEY_ORDER);
        for (int i = 0; i < count; i++) {
            builder.append(key(i), i);
            model.put(key(i), i);
        }
        BTreeMap<Integer> tree = builder.build();
        tree.checkInvariants();
        assertThat(contents(tree)).containsExactlyElementsOf(toList(model));
        // A built tree must take further changes like any other.
        for (int i = 0; i < count; i += 3) {
            tree.remove(key(i));
            tree.put(key(count + i), i);
        }
        tree.checkInvariants();
    }

    @Test
    void builderRefusesKeysOutOfOrder() {
        BTreeMap.Builder<Integer> builder = new BTreeMap.Builder<>();
        builder.append(key(2), 2);
        assertThatThrownBy(() -> builder.append(key(2), 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.append(key(1), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Proves keys compare as unsigned bytes, shorter prefix first: 0x7f before 0x80, "a" before "a\0". */
    @Test
    void keysAreOrderedAsUnsignedBytes() {
        BTreeMap<Integer> tree = new BTreeMap<>();
        byte[][] ascending = {{0x00}, {0x61}, {0x61, 0x00}, {0x7f}, {(byte) 0x80}, {(byte) 0xff}, {(byte) 0xff, 0x00}};
        for (int i = ascending.length - 1; i >= 0; i--) {
            tree.put(ascending[i], i);
        }
        List<Integer> order = new ArrayList<>();
        tree.forEachFrom(null, (key, value) -> order.add(value));
        assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6);
        assertThat(tree.firstKey()).isEqualTo(new byte[] {0x00});
    }

    @Test
    void forEachFromStartsAtTheFirstKeyNotBelowAndStopsWhenAsked() {
        BTreeMap<Integer> tree = new BTreeMap<>();
        for (int i = 0; i < 1_000; i += 2) {
            tree.put(key(i), i);
        }
        List<Integer> seen = new ArrayList<>();
        tree.forEachFrom(key(501), (key, value) -> {
            seen.add(value);
            return seen.size() < 3;
        });
        assertThat(seen).containsExactly(502, 504, 506);
    }

    private static byte[] key(int number) {
        return ByteBuffer.allocate(4).putInt(number).array();
    }

    private static List<String> contents(BTreeMap<Integer> tree) {
        List<String> entries = new ArrayList<>();
        tree.forEachFrom(null, (key, value) -> entries.add(ByteBuffer.wrap(key).getInt() + "=" + value));
        return entries;
    }

    private static List<String> contents(BTreeMap.View<Integer> view) {
        List<String> entries = new ArrayList<>();
        view.forEachFrom(null, (key, value) -> entries.add(ByteBuffer.wrap(key).getInt() + "=" + value));
        return entries;
    }

    private static List<String> toList(TreeMap<byte[], Integer> model) {
        List<String> entries = new ArrayList<>();
        for (Map.Entry<byte[], Integer> entry : model.entrySet()) {
            entries.add(ByteBuffer.wrap(entry.getKey()).getInt() + "=" + entry.getValue());
        }
        return entries;
    }
}
