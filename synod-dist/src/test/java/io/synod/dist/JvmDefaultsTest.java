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
        assertThat(heap.find()).isTrue();
        assertThat(heap.group(1)).isEqualTo(JvmDefaults.HEAP);
        assertThat(shellArray(shell, "synod_gc_opts")).isEqualTo(JvmDefaults.GC_OPTIONS);
        assertThat(shellArray(shell, "synod_gc_opts_before_23")).isEqualTo(JvmDefaults.GC_OPTIONS_BEFORE_23);
        assertThat(JvmDefaults.options("2g", 25)).containsExactly("-Xms2g", "-Xmx2g", "-XX:+UseZGC");
        assertThat(JvmDefaults.options("2g", 21)).containsExactly("-Xms2g", "-Xmx2g", "-XX:+UseZGC",
                "-XX:+ZGenerational");
    }

    private static List<String> shellArray(String shell, String name) {
        Matcher array = Pattern.compile("(?m)^" + name + "=\\((.*)\\)$").matcher(shell);
        assertThat(array.find()).as(name).isTrue();
        return List.of(array.group(1).trim().split("\\s+"));
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
