package io.synod.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.synod.core.Durable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzz target for WAL recovery on real files: arbitrary bytes as a whole segment, or as a tail after a valid
 * segment's records. Recovery either replays a prefix (the valid records first, when there are some) and cuts the
 * torn tail, or throws a {@link CorruptionException} naming the segment and an offset inside it; never anything
 * else. A recovered log reopens to the same records. Without {@code JAZZER_FUZZ} the kept inputs under
 * {@code WalFuzzTestInputs/} are replayed (docs/fuzzing.md).
 */
class WalFuzzTest {
    private static final String SEGMENT = WalFormat.segmentName(1);
    private static final Wal.Options OPTIONS = new Wal.Options(1 << 20, 1 << 16);
    private static final Path DIRECTORY = newDirectory();
    private static final List<Durable> VALID = List.of(Records.accepted(0), Records.chosen(0), Records.accepted(1));
    private static final byte[] VALID_SEGMENT = validSegment();

    @FuzzTest(maxDuration = "10m")
    void segment(FuzzedDataProvider data) throws IOException {
        boolean afterValid = data.consumeBoolean();
        byte[] fuzzed = data.consumeRemainingAsBytes();
        byte[] segment = afterValid ? concat(VALID_SEGMENT, fuzzed) : fuzzed;
        clear();
        Files.write(DIRECTORY.resolve(SEGMENT), segment);

        List<Durable> replayed = new ArrayList<>();
        try (Wal wal = Wal.open(new NioDisk(DIRECTORY), OPTIONS, replayed::add, line -> {})) {
            assertThat(wal.segmentCount()).isPositive();
        } catch (CorruptionException e) {
            assertThat(e.file()).isEqualTo(SEGMENT);
            assertThat(e.offset()).isBetween(0L, (long) segment.length);
            return;
        }
        if (afterValid) {
            assertThat(replayed).startsWith(VALID.toArray(Durable[]::new));
        }
        List<Durable> again = new ArrayList<>();
        try (Wal wal = Wal.open(new NioDisk(DIRECTORY), OPTIONS, again::add, line -> {})) {
            assertThat(again).isEqualTo(replayed);
        }
    }

    private static byte[] validSegment() {
        try {
            clear();
            try (Wal wal = Wal.open(new NioDisk(DIRECTORY), OPTIONS, record -> {}, line -> {})) {
                wal.append(VALID);
                wal.syncPoint().run();
            }
            return Files.readAllBytes(DIRECTORY.resolve(SEGMENT));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path newDirectory() {
        try {
            Path directory = Files.createTempDirectory("synod-wal-fuzz");
            directory.toFile().deleteOnExit();
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void clear() throws IOException {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
