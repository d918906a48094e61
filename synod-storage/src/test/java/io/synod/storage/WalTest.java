package io.synod.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.Durable;
import io.synod.core.Ballot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segmented log on a real directory: replay, torn tails, corruption, rolling and compaction. */
class WalTest {
    @TempDir
    Path directory;

    private final List<Durable> replayed = new ArrayList<>();
    private final List<String> log = new ArrayList<>();

    private Wal open(long segmentBytes) throws IOException {
        replayed.clear();
        return Wal.open(new NioDisk(directory), new Wal.Options(segmentBytes, 1 << 20), replayed::add,
                log::add);
    }

    private void writeAndSync(Wal wal, List<Durable> records) throws IOException {
        wal.append(records);
        wal.syncPoint().run();
    }

    private Path segment(long index) {
        return directory.resolve(WalFormat.segmentName(index));
    }

    @Test
    void recordsComeBackInOrderAfterReopening() throws IOException {
        List<Durable> written = new ArrayList<>();
        try (Wal wal = open(1 << 20)) {
            for (long slot = 0; slot < 50; slot++) {
                List<Durable> batch = List.of(Records.accepted(slot), Records.chosen(slot));
                writeAndSync(wal, batch);
                written.addAll(batch);
            }
        }
        try (Wal wal = open(1 << 20)) {
            assertThat(replayed).containsExactlyElementsOf(written);
            assertThat(log).isEmpty();
        }
    }

    @Test
    void aPartialRecordAtTheEndIsCutWithOneLogLine() throws IOException {
        try (Wal wal = open(1 << 20)) {
            writeAndSync(wal, List.of(Records.accepted(0), Records.accepted(1)));
        }
        long goodSize = Files.size(segment(1));
        Files.write(segment(1), new byte[] {0, 0, 1, 0, 2, 9, 9}, StandardOpenOption.APPEND); // a torn header+payload
        try (Wal wal = open(1 << 20)) {
            assertThat(replayed).containsExactly(Records.accepted(0), Records.accepted(1));
            assertThat(log).singleElement().asString().contains("cut the torn tail").contains("" + goodSize);
            assertThat(Files.size(segment(1))).isEqualTo(goodSize);
            writeAndSync(wal, List.of(Records.accepted(2)));
        }
        try (Wal wal = open(1 << 20)) {
            assertThat(replayed).containsExactly(Records.accepted(0), Records.accepted(1), Records.accepted(2));
        }
    }

    @Test
    void aBadChecksumOnTheLastRecordIsATornTail() throws IOException {
        try (Wal wal = open(1 << 20)) {
            writeAndSync(wal, List.of(Records.accepted(0), Records.accepted(1)));
        }
        flipLastByte(segment(1));
        try (Wal wal = open(1 << 20)) {
            assertThat(replayed).containsExactly(Records.accepted(0));
            assertThat(log).singleElement().asString().contains("checksum mismatch");
        }
    }

    @Test
    void aBadRecordFollowedByGoodOnesIsCorruptionNamingFileAndOffset() throws IOException {
        try (Wal wal = open(1 << 20)) {
            writeAndSync(wal, List.of(Records.accepted(0), Records.accepted(1), Records.accepted(2)));
        }
        int firstRecordBytes = WalFormat.RECORD_HEADER_BYTES + RecordCodec.encode(Records.accepted(0)).length;
        long offset = WalFormat.SEGMENT_HEADER_BYTES + firstRecordBytes; // the second record
        flipByte(segment(1), offset + WalFormat.RECORD_HEADER_BYTES + 30);
        assertThatThrownBy(() -> open(1 << 20))
                .isInstanceOf(CorruptionException.class)
                .hasMessageContaining(WalFormat.segmentName(1))
                .hasMessageContaining("byte offset " + offset)
                .satisfies(e -> assertThat(((CorruptionException) e).offset()).isEqualTo(offset));
    }

    @Test
    void aMissingSegmentInTheMiddleIsCorruption() throws IOException {
        try (Wal wal = open(300)) {
            for (long slot = 0; slot < 10; slot++) {
                writeAndSync(wal, List.of(Records.accepted(slot)));
            }
            assertThat(wal.segmentCount()).isGreaterThan(3);
        }
        Files.delete(segment(2));
        assertThatThrownBy(() -> open(300)).isInstanceOf(CorruptionException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void segmentsRollAndEachNewOneStartsWithTheHighestPromise() throws IOException {
        try (Wal wal = open(400)) {
            writeAndSync(wal, List.of(new Durable.Promised(new Ballot(7, 2))));
            for (long slot = 0; slot < 12; slot++) {
                writeAndSync(wal, List.of(Records.chosen(slot)));
            }
            assertThat(wal.segmentCount()).isGreaterThan(2);
        }
        try (Wal wal = open(400)) {
            assertThat(replayed).filteredOn(r -> r instanceof Durable.Promised)
                    .hasSizeGreaterThan(2)
                    .allSatisfy(r -> assertThat(((Durable.Promised) r).ballot()).isEqualTo(new Ballot(7, 2)));
            assertThat(wal.highestPromise()).isEqualTo(new Ballot(7, 2));
        }
    }

    @Test
    void compactionDeletesOnlyAPrefixOfOldSegmentsAndKeepsThePromise() throws IOException {
        try (Wal wal = open(400)) {
            writeAndSync(wal, List.of(new Durable.Promised(new Ballot(9, 1))));
            for (long slot = 0; slot < 30; slot++) {
                writeAndSync(wal, List.of(Records.chosen(slot)));
            }
            int before = wal.segmentCount();
            wal.compact(20);
            wal.syncPoint().run();
            assertThat(wal.segmentCount()).isLessThan(before).isGreaterThanOrEqualTo(1);
            assertThat(Files.exists(segment(1))).isFalse();
        }
        try (Wal wal = open(400)) {
            assertThat(wal.highestPromise()).isEqualTo(new Ballot(9, 1));
            List<Long> slots = replayed.stream().filter(r -> r instanceof Durable.Chosen)
                    .map(r -> ((Durable.Chosen) r).slot()).toList();
            assertThat(slots).contains(20L, 29L).isSorted();
        }
    }

    @Test
    void aSegmentWhoseCreationWasCutShortIsRemoved() throws IOException {
        try (Wal wal = open(1 << 20)) {
            writeAndSync(wal, List.of(Records.accepted(0)));
        }
        Files.write(segment(2), new byte[] {0x53, 0x59}); // two bytes of a header, then the crash
        try (Wal wal = open(1 << 20)) {
            assertThat(replayed).containsExactly(Records.accepted(0));
            assertThat(Files.exists(segment(2))).isFalse();
            assertThat(log).singleElement().asString().contains("cut short");
        }
    }

    static void flipLastByte(Path file) throws IOException {
        flipByte(file, Files.size(file) - 1);
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.flip();
            byte flipped = (byte) (one.get(0) ^ 0x5A);
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {flipped}), offset);
        }
    }
}
