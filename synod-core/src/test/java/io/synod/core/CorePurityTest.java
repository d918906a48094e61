package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The protocol core is pure (DESIGN.md §2): no I/O, no threads, no clock reads, no unseeded randomness. This test fails
 * the build if any class of synod-core refers to one of them; the second test shows the scanner catching a clock read.
 */
class CorePurityTest {

    @Test
    void coreClassesTouchNoIoThreadsClocksOrUnseededRandomness() throws Exception {
        Path classes = Path.of(Node.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes.resolve("io/synod/core/Node.class")).exists();
        List<String> violations = PurityScanner.violations(classes);
        assertThat(violations).as("references the core must not make").isEmpty();
    }

    /** A class that does what core code must never do; it lives in the tests, so the core stays clean. */
    static final class Impure {
        long clockRead() {
            return System.currentTimeMillis();
        }

        long nanoRead() {
            return System.nanoTime();
        }

        long unseeded() {
            return new SplittableRandom().nextLong();
        }

        void thread() {
            new Thread(() -> { }).start();
        }
    }

    @Test
    void theScannerCatchesClockReadsThreadsAndUnseededRandomness() throws Exception {
        try (InputStream in = Impure.class.getResourceAsStream("CorePurityTest$Impure.class")) {
            assertThat(PurityScanner.banned(in)).contains(
                    "java/lang/System.currentTimeMillis()J",
                    "java/lang/System.nanoTime()J",
                    "java/util/SplittableRandom.<init>()V",
                    "java/lang/Thread");
        }
    }

    @Test
    void theScannerPassesSeededRandomness() throws URISyntaxException {
        SplittableRandom seeded = new SplittableRandom(7);
        assertThat(seeded.nextInt(10)).isBetween(0, 9);
    }
}
