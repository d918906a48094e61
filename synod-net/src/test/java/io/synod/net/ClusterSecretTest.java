package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loading --cluster-secret-file, the HMAC it computes, and that it never shows the key. */
class ClusterSecretTest {
    @TempDir
    Path dir;

    private static final String KEY = "0123456789abcdef-the-secret";

    /** Proves: one trailing \n or \r\n is not part of the secret, so the three files below hold the same secret. */
    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "\r\n"})
    void oneTrailingLineEndIsRemoved(String ending) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), KEY + ending);
        byte[] message = "message".getBytes(StandardCharsets.UTF_8);
        assertThat(ClusterSecret.fromFile(file).hmac(message))
                .isEqualTo(ClusterSecret.of(KEY.getBytes(StandardCharsets.UTF_8)).hmac(message));
    }

    /** Proves: only one line end goes; a second is part of the secret (so two files differing in it differ). */
    @Test
    void onlyOneLineEndIsRemoved() throws Exception {
        byte[] message = {1, 2, 3};
        Path twice = Files.writeString(dir.resolve("twice"), KEY + "\n\n");
        assertThat(ClusterSecret.fromFile(twice).hmac(message))
                .isEqualTo(ClusterSecret.of((KEY + "\n").getBytes(StandardCharsets.UTF_8)).hmac(message))
                .isNotEqualTo(ClusterSecret.of(KEY.getBytes(StandardCharsets.UTF_8)).hmac(message));
    }

    /** Proves: a secret below 16 bytes (after the line end) and a missing file are refused naming the file only. */
    @Test
    void aShortSecretOrAMissingFileIsRefusedNamingTheFile() throws Exception {
        Path shortFile = Files.writeString(dir.resolve("short"), "hunter\n");
        assertThatThrownBy(() -> ClusterSecret.fromFile(shortFile)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--cluster-secret-file " + shortFile + " holds 6 bytes; at least 16 are needed")
                .message().doesNotContain("hunter");
        Path fifteen = Files.writeString(dir.resolve("fifteen"), "123456789012345\r\n");
        assertThatThrownBy(() -> ClusterSecret.fromFile(fifteen)).hasMessageContaining("holds 15 bytes");
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> ClusterSecret.fromFile(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--cluster-secret-file " + missing + " does not exist");
        assertThatThrownBy(() -> ClusterSecret.fromFile(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read --cluster-secret-file " + dir);
        assertThatThrownBy(() -> ClusterSecret.of(new byte[15])).isInstanceOf(IllegalArgumentException.class);
    }

    /** Proves: the HMAC is HMAC-SHA256 (RFC 4231 test case 1) and the proof check accepts it and nothing else. */
    @Test
    void computesHmacSha256AndVerifiesInConstantTimeCompare() {
        byte[] key = new byte[20];
        java.util.Arrays.fill(key, (byte) 0x0b);
        ClusterSecret secret = ClusterSecret.of(key);
        byte[] data = "Hi There".getBytes(StandardCharsets.US_ASCII);
        byte[] expected = HexFormat.of().parseHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        assertThat(secret.hmac(data)).isEqualTo(expected);
        assertThat(secret.verifies(data, expected)).isTrue();
        expected[31] ^= 1;
        assertThat(secret.verifies(data, expected)).isFalse();
        assertThat(secret.verifies(data, new byte[0])).isFalse();
    }

    /** Proves: the secret never shows in its string form, nor in a TransportConfig's. */
    @Test
    void neverPrintsTheKey() {
        ClusterSecret secret = ClusterSecret.of(KEY.getBytes(StandardCharsets.UTF_8));
        assertThat(secret).hasToString("<secret>");
        TransportConfig config = TestNode.config(1, "test-cluster", TestNode.peers(7001), b -> b.clusterSecret(secret));
        assertThat(config.toString()).contains("clusterSecret=<secret>").doesNotContain(KEY);
    }
}
