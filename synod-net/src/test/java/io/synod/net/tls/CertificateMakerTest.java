package io.synod.net.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateMakerTest {
    @TempDir
    Path dir;

    @Test
    void writesACaNodeAndClientCertificatesThatChainToIt() throws Exception {
        List<Path> files = CertificateMaker.writeCluster(dir, 3, List.of("db1.example", "10.0.0.7"));

        assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("ca.crt", "ca.key",
                "node-1.crt", "node-1.key", "node-2.crt", "node-2.key", "node-3.crt", "node-3.key",
                "client.crt", "client.key");
        X509Certificate ca = read(dir.resolve("ca.crt"));
        X509Certificate node = read(dir.resolve("node-2.crt"));
        node.verify(ca.getPublicKey());
        read(dir.resolve("client.crt")).verify(ca.getPublicKey());
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(node.getBasicConstraints()).isEqualTo(-1);
        assertThat(node.getSubjectX500Principal().getName()).isEqualTo("CN=synod-node-2");
        assertThat(node.getSubjectAlternativeNames()).extracting(entry -> entry.get(1).toString())
                .contains("localhost", "127.0.0.1", "db1.example", "10.0.0.7");
        assertThat(node.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(read(dir.resolve("client.crt")).getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("node-1.key"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("node-1.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void theNettyContextsLoadWhatItWrites() {
        CertificateMaker.writeCluster(dir, 1, List.of());
        TlsFiles files = new TlsFiles(dir.resolve("node-1.crt"), dir.resolve("node-1.key"), dir.resolve("ca.crt"));
        assertThat(files.serverContext(true).isServer()).isTrue();
        assertThat(files.clientContext().isClient()).isTrue();
    }

    @Test
    void neverOverwritesAnExistingFile() throws Exception {
        Files.writeString(dir.resolve("ca.crt"), "mine");
        assertThatThrownBy(() -> CertificateMaker.writeCluster(dir, 1, List.of()))
                .isInstanceOf(UncheckedIOException.class);
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo("mine");
    }

    @Test
    void aMissingOrBadFileIsNamed() throws Exception {
        CertificateMaker.writeCluster(dir, 1, List.of());
        assertThatThrownBy(() -> new TlsFiles(dir.resolve("node-1.crt"), dir.resolve("nope.key"), dir.resolve("ca.crt")))
                .hasMessageContaining("nope.key");
        Files.writeString(dir.resolve("bad.key"), "not a key");
        TlsFiles bad = new TlsFiles(dir.resolve("node-1.crt"), dir.resolve("bad.key"), dir.resolve("ca.crt"));
        assertThatThrownBy(() -> bad.serverContext(true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.key");
    }

    private static X509Certificate read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
