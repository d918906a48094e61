package io.synod.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JVM defaults: the launcher's shell file and the demo's Java constants say the same; sizes parse. */
class JvmDefaultsTest {
    @Test
    void theLauncherAndTheDemoStartNodesWithTheSameSettings() throws IOException {
        String shell = Files.readString(Path.of("..", "bin", "lib", "jvm.sh"));
        Matcher heap = Pattern.compile("(?m)^synod_heap_default=(\\S+)$").matcher(shell);
        Matcher gc = Pattern.compile("(?m)^synod_gc_opts=\\((.*)\\)$").matcher(shell);
        assertThat(heap.find()).isTrue();
        assertThat(gc.find()).isTrue();
        assertThat(heap.group(1)).isEqualTo(JvmDefaults.HEAP);
        assertThat(List.of(gc.group(1).trim().split("\\s+"))).isEqualTo(JvmDefaults.GC_OPTIONS);
        assertThat(JvmDefaults.options("2g")).startsWith("-Xms2g", "-Xmx2g").endsWith(
                JvmDefaults.GC_OPTIONS.toArray(String[]::new));
    }

    @Test
    void sizesParseWithOrWithoutASuffixAndNonsenseIsRefused() {
        assertThat(JvmDefaults.parseSize("512")).isEqualTo(512);
        assertThat(JvmDefaults.parseSize("4k")).isEqualTo(4_096);
        assertThat(JvmDefaults.parseSize("16m")).isEqualTo(16L << 20);
        assertThat(JvmDefaults.parseSize("2G")).isEqualTo(2L << 30);
        for (String bad : new String[] {null, "", "m", "-1m", "1.5g", "1t", "12 m", "999999999999999g"}) {
            assertThat(JvmDefaults.parseSize(bad)).as(String.valueOf(bad)).isEqualTo(-1);
        }
    }
}
