package io.synod.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.client.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code synod certs}: the files it writes, that it never overwrites, and its usage errors. */
class CertsCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void writesACaANodeCertificateEachAndAClientCertificateAndSaysHowToUseThem() throws Exception {
        Path certs = dir.resolve("certs");
        assertThat(run("certs", certs.toString(), "--nodes", "2", "--hosts", "db1.example,10.0.0.7")).isZero();

        for (Path file : CertsCommand.files(certs, 2)) {
            assertThat(file).exists();
            assertThat(out.toString()).contains(file.toString());
        }
        assertThat(out.toString()).contains("--tls-cert").contains("--tls-ca").contains("export SYNOD_CA=");
        X509Certificate node = PemFiles.certificates(certs.resolve("node-2.crt")).get(0);
        assertThat(node.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))).toList())
                .contains("127.0.0.1", "localhost", "db1.example", "10.0.0.7");
        PemFiles.trustManagers(certs.resolve("ca.crt"));
        PemFiles.keyManagers(certs.resolve("client.crt"), certs.resolve("client.key"));
        PemFiles.keyManagers(certs.resolve("node-1.crt"), certs.resolve("node-1.key"));
    }

    @Test
    void refusesToOverwriteAnythingOnOneLine() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("node-3.key"), "mine");
        assertThat(run("certs", dir.toString(), "--nodes", "3")).isEqualTo(1);
        assertThat(err.toString().strip().lines()).singleElement().asString().startsWith("synod: certs: ")
                .contains("node-3.key exists already");
        assertThat(Files.readString(dir.resolve("node-3.key"))).isEqualTo("mine");
        assertThat(dir.resolve("ca.crt")).doesNotExist();
    }

    @Test
    void usageErrors() {
        for (List<String> args : List.of(List.of("certs", dir.toString(), "--nodes", "0"),
                List.of("certs", dir.toString()), List.of("certs", "--nodes", "3"),
                List.of("certs", dir.toString(), "--nodes", "1", "--hosts", "a,,b"))) {
            err.getBuffer().setLength(0);
            assertThat(run(args.toArray(String[]::new))).as("%s", args).isEqualTo(2);
            assertThat(err.toString().strip().lines()).as("%s", args).hasSize(1);
        }
        assertThat(dir.resolve("ca.crt")).doesNotExist();
    }

    @Test
    void theHelpListsIt() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("certs");
    }
}
