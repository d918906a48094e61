package io.synod.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEM reading by hand: EC and RSA PKCS#8 keys come out equal to what keytool's key store holds, certificate files
 * with several blocks keep their order, and every bad file is an {@link IllegalArgumentException} naming it.
 */
class PemFilesTest {
    @TempDir
    static Path dir;

    private static TestPki ca;
    private static TestPki.Leaf ec;
    private static TestPki.Leaf rsa;

    @BeforeAll
    static void makeCertificates() {
        ca = new TestPki(dir, "pem-ca");
        ec = ca.issue("ec-leaf", "EC", "dns:localhost");
        rsa = ca.issue("rsa-leaf", "RSA", "dns:localhost");
    }

    private static PrivateKey fromKeyStore(String name) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            store.load(in, "changeit".toCharArray());
        }
        return (PrivateKey) store.getKey(name, "changeit".toCharArray());
    }

    @Test
    void ecAndRsaKeysAreReadAsTheyWereMade() throws Exception {
        assertThat(PemFiles.privateKey(ec.key()).getAlgorithm()).isEqualTo("EC");
        assertThat(PemFiles.privateKey(ec.key()).getEncoded()).isEqualTo(fromKeyStore("ec-leaf").getEncoded());
        assertThat(PemFiles.privateKey(rsa.key()).getAlgorithm()).isEqualTo("RSA");
        assertThat(PemFiles.privateKey(rsa.key()).getEncoded()).isEqualTo(fromKeyStore("rsa-leaf").getEncoded());
    }

    @Test
    void aChainFileKeepsItsOrder() throws Exception {
        Path chain = dir.resolve("chain.pem");
        Files.writeString(chain, "leaf first\n" + Files.readString(ec.certificate()) + "then its CA\n"
                + Files.readString(ca.caCertificate()));
        assertThat(PemFiles.certificates(chain)).extracting(certificate -> certificate.getSubjectX500Principal()
                .getName()).containsExactly("CN=ec-leaf", "CN=pem-ca");
    }

    @Test
    void aContextWithAClientCertificateIsTls13() {
        SSLContext context = PemFiles.sslContext(ca.caCertificate(), rsa.certificate(), rsa.key());
        assertThat(context.getProtocol()).isEqualTo("TLSv1.3");
    }

    @Test
    void badFilesAreNamed() throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> PemFiles.certificates(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no such file: " + missing);
        assertThatThrownBy(() -> PemFiles.certificates(ec.key())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ec.key().toString()).hasMessageContaining("no PEM CERTIFICATE");
        assertThatThrownBy(() -> PemFiles.privateKey(ec.certificate())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly one PEM PRIVATE KEY");
        Path garbage = Files.writeString(dir.resolve("garbage.key"), TestPki.pem("PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> PemFiles.privateKey(garbage)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither an EC nor an RSA");
        Path badCertificate = Files.writeString(dir.resolve("bad.crt"), TestPki.pem("CERTIFICATE", new byte[] {4, 5}));
        assertThatThrownBy(() -> PemFiles.certificates(badCertificate)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an X.509 certificate");
        assertThatThrownBy(() -> PemFiles.keyManagers(ec.certificate(), rsa.key()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
        assertThatThrownBy(() -> PemFiles.sslContext(null, ec.certificate(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("go together");
    }

    @Test
    void aKeyOfTheSameAlgorithmThatIsNotTheCertificatesIsRefused() {
        TestPki.Leaf another = ca.issue("another-ec", "EC", "");
        assertThatThrownBy(() -> PemFiles.keyManagers(ec.certificate(), another.key()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
    }
}
