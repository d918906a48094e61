package io.synod.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JVM settings a node runs with unless told otherwise: the heap ({@code synod server --heap}, default
 * {@value #HEAP}) and the collector with its pause target. {@code bin/synod} (through {@code bin/lib/jvm.sh}) and
 * {@code synod demo} start nodes with them; {@code JvmDefaultsTest} checks that the shell file says the same as this
 * class. Why these values: docs/benchmarks.md, "JVM settings".
 */
final class JvmDefaults {
    /** The heap of a node when {@code --heap} is not given. */
    static final String HEAP = "1g";
    /** A heap below this cannot hold a node's buffers; such a {@code --heap} is refused. */
    static final long HEAP_MIN_BYTES = 64L << 20;
    /** The collector and its settings, known to every JDK from 21 on. */
    static final List<String> GC_OPTIONS = List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20");

    private JvmDefaults() {}

    /** The options that start a node's JVM with {@code heap} (as {@code --heap} takes it). */
    static List<String> options(String heap) {
        List<String> options = new ArrayList<>();
        options.add("-Xms" + heap);
        options.add("-Xmx" + heap);
        options.addAll(GC_OPTIONS);
        return options;
    }

    /**
     * Parses a size: digits, then optionally k, m or g (either case) for KiB, MiB or GiB. Returns -1 for anything
     * else, or a size too large for a long.
     */
    static long parseSize(String text) {
        if (text == null || !text.matches("[0-9]{1,15}[kmgKMG]?")) {
            return -1;
        }
        char last = Character.toLowerCase(text.charAt(text.length() - 1));
        int shift = switch (last) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? text : text.substring(0, text.length() - 1);
        long value = Long.parseLong(digits.toLowerCase(Locale.ROOT));
        return value > (Long.MAX_VALUE >> shift) ? -1 : value << shift;
    }
}
