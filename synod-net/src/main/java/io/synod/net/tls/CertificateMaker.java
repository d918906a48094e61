package io.synod.net.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes a small PKI for one cluster: a CA, a certificate per node (usable both to accept and to dial, so for the peer
 * protocol and the HTTP API alike) and a client certificate. Keys are EC P-256, signatures SHA256withECDSA, files PEM
 * (certificates as {@code CERTIFICATE}, keys as unencrypted PKCS#8 {@code PRIVATE KEY}, which Netty and the JDK read
 * without extra providers). Private keys are written owner-read-only where the file system allows it.
 *
 * <p>Signing goes through the JDK's own providers; BouncyCastle only builds the certificates and writes PEM, so it
 * is never installed as a JCE provider.
 *
 * <p>What {@link #writeCluster} lays out in a directory:
 * <pre>
 *   ca.crt ca.key                 the CA (keep ca.key away from the nodes)
 *   node-1.crt node-1.key ...     one per node, named for localhost, 127.0.0.1, ::1 and the given hosts
 *   client.crt client.key         for clients that present a certificate
 * </pre>
 */
public final class CertificateMaker {
    /** How long the certificates {@link #writeCluster} makes are valid. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(825);

    private static final String SIGNATURE = "SHA256withECDSA";
    private final SecureRandom random = new SecureRandom();
    private final Duration validity;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;

    private CertificateMaker(Duration validity, KeyPair caKeys, X509Certificate caCertificate) {
        this.validity = validity;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
    }

    /** A new CA named {@code CN=<name>}, valid for {@code validity} from one hour ago. */
    public static CertificateMaker newCa(String name, Duration validity) {
        KeyPair keys = newKeyPair();
        X500Name subject = new X500Name("CN=" + name);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject,
                    keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate certificate = sign(builder, keys);
            return new CertificateMaker(validity, keys, certificate);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a CA certificate: " + e.getMessage(), e);
        }
    }

    /** The CA's certificate. */
    public X509Certificate caCertificate() {
        return caCertificate;
    }

    /** A key and a certificate signed by this CA. */
    public record Issued(KeyPair keys, X509Certificate certificate) {}

    /**
     * Issues a certificate named {@code CN=<commonName>} with the given subject alternative names: each is an IP
     * address if it parses as one (IPv4 or IPv6 literal), else a DNS name. With {@code server} the certificate may
     * accept connections (serverAuth) as well as dial them (clientAuth); without it, only dial.
     *
     * @throws IllegalArgumentException if a name is empty
     */
    public Issued issue(String commonName, List<String> names, boolean server) {
        KeyPair keys = newKeyPair();
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("a certificate name must not be empty");
            }
            alternatives.add(isIpLiteral(name)
                    ? new GeneralName(GeneralName.iPAddress, name)
                    : new GeneralName(GeneralName.dNSName, name));
        }
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            Instant now = Instant.now();
            KeyPurposeId[] purposes = server
                    ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                    : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, serial(random),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)),
                    new X500Name("CN=" + commonName), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(caCertificate))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()));
            if (!alternatives.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            }
            return new Issued(keys, sign(builder, caKeys));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
        }
    }

    /** The names every node certificate carries besides the given hosts: the loopback names. */
    public static List<String> loopbackNames() {
        return List.of("localhost", "127.0.0.1", "::1");
    }

    /**
     * Writes a CA, {@code nodes} node certificates and a client certificate into {@code dir} (created if missing),
     * laid out as the class comment says. Node certificates name the loopback addresses and {@code hosts}.
     *
     * @return the files written, in order
     * @throws UncheckedIOException if a file cannot be written or already exists (nothing is overwritten)
     */
    public static List<Path> writeCluster(Path dir, int nodes, List<String> hosts) {
        if (nodes < 1) {
            throw new IllegalArgumentException("--nodes must be at least 1");
        }
        CertificateMaker ca = newCa("Synod cluster CA", DEFAULT_VALIDITY);
        Set<String> names = new LinkedHashSet<>(loopbackNames());
        names.addAll(hosts);
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            written.add(writeCertificate(dir.resolve("ca.crt"), ca.caCertificate()));
            written.add(writeKey(dir.resolve("ca.key"), ca.caKeys));
            for (int node = 1; node <= nodes; node++) {
                Issued issued = ca.issue("synod-node-" + node, List.copyOf(names), true);
                written.add(writeCertificate(dir.resolve("node-" + node + ".crt"), issued.certificate()));
                written.add(writeKey(dir.resolve("node-" + node + ".key"), issued.keys()));
            }
            Issued client = ca.issue("synod-client", List.of(), false);
            written.add(writeCertificate(dir.resolve("client.crt"), client.certificate()));
            written.add(writeKey(dir.resolve("client.key"), client.keys()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return written;
    }

    /** Writes {@code certificate} as PEM to a new file. */
    public static Path writeCertificate(Path file, X509Certificate certificate) throws IOException {
        Files.writeString(file, pem(certificate), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        return file;
    }

    /** Writes {@code keys}' private key as unencrypted PKCS#8 PEM to a new file, owner-read-only where possible. */
    public static Path writeKey(Path file, KeyPair keys) throws IOException {
        String text;
        try {
            text = pem(new JcaPKCS8Generator(keys.getPrivate(), null));
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IOException("cannot encode the key for " + file + ": " + e.getMessage(), e);
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the file keeps its default permissions
        }
        return file;
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        }
        return text.toString();
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys: " + e.getMessage(), e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static boolean isIpLiteral(String name) {
        if (name.contains(":")) {
            return true; // only IPv6 literals contain a colon; a DNS name cannot
        }
        if (!name.matches("[0-9.]+")) {
            return false;
        }
        try {
            InetAddress.getByName(name); // a dotted-decimal literal: no lookup happens
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
