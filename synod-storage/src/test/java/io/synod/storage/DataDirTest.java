package io.synod.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data dir knows whose it is and lets one process in at a time. */
class DataDirTest {
    @TempDir
    Path directory;

    @Test
    void aNewDirectoryGetsItsIdentityAndOpensAgainForTheSameNode() throws IOException {
        try (DataDir dataDir = DataDir.open(directory, "alpha", 2)) {
            assertThat(dataDir.path()).isEqualTo(directory.toAbsolutePath());
        }
        assertThat(Files.readString(directory.resolve("meta"))).contains("cluster=alpha", "node=2", "format=1");
        DataDir.open(directory, "alpha", 2).close();
    }

    @Test
    void anotherNodeOrClusterIsRefusedWithAClearMessage() throws IOException {
        DataDir.open(directory, "alpha", 2).close();
        assertThatThrownBy(() -> DataDir.open(directory, "alpha", 3))
                .isInstanceOf(StorageFailure.class)
                .hasMessageContaining("belongs to node 2 of cluster 'alpha', not node 3 of cluster 'alpha'");
        assertThatThrownBy(() -> DataDir.open(directory, "beta", 2))
                .isInstanceOf(StorageFailure.class).hasMessageContaining("cluster 'beta'");
    }

    @Test
    void aSecondOpenWhileTheFirstHoldsTheLockIsRefused() throws IOException {
        try (DataDir first = DataDir.open(directory, "alpha", 1)) {
            assertThatThrownBy(() -> DataDir.open(directory, "alpha", 1))
                    .isInstanceOf(StorageFailure.class).hasMessageContaining("in use by another process");
        }
        DataDir.open(directory, "alpha", 1).close();
    }

    @Test
    void aLogWithoutIdentityIsRefused() throws IOException {
        Files.write(directory.resolve(WalFormat.segmentName(1)), WalFormat.segmentHeader(1));
        assertThatThrownBy(() -> DataDir.open(directory, "alpha", 1))
                .isInstanceOf(StorageFailure.class).hasMessageContaining("no meta file");
    }

    @Test
    void aDamagedMetaFileIsCorruption() throws IOException {
        DataDir.open(directory, "alpha", 1).close();
        Files.writeString(directory.resolve("meta"), Files.readString(directory.resolve("meta"))
                .replace("node=1", "node=4"));
        assertThatThrownBy(() -> DataDir.open(directory, "alpha", 4))
                .isInstanceOf(CorruptionException.class).hasMessageContaining("meta");
    }
}
