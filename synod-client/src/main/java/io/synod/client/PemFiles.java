package io.synod.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads the PEM files a client is given ({@code --ca}, {@code --cert}, {@code --key}, as {@code synod certs} writes
 * them) into the JDK's TLS objects, with the JDK alone (no extra provider): certificates ({@code CERTIFICATE} blocks,
 * through {@link CertificateFactory}) and an unencrypted PKCS#8 private key ({@code PRIVATE KEY}, EC or RSA, through
 * {@link KeyFactory}). {@link #sslContext} makes the context the {@link SynodClient} and {@code synod bench} use: TLS
 * 1.3, trusting only the given CA (or the JDK's default trust store without one), presenting the given client
 * certificate if any.
 *
 * <p>Every method throws {@link IllegalArgumentException} with one sentence naming the file and what is wrong with
 * it (missing, unreadable, no PEM block of the expected kind, not a certificate, not an EC or RSA key, a key that does
 * not match its certificate). Stateless and thread-safe.
 */
public final class PemFiles {
    /** The only TLS protocol the client offers: Synod's nodes accept nothing else. */
    public static final String PROTOCOL = "TLSv1.3";

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** A key password for the in-memory key store: never written anywhere. */
    private static final char[] NO_PASSWORD = new char[0];

    private PemFiles() {}

    /** The certificates of the {@code CERTIFICATE} blocks in {@code pem}, in file order; at least one. */
    public static List<X509Certificate> certificates(Path pem) {
        List<byte[]> blocks = blocks(pem, "CERTIFICATE");
        if (blocks.isEmpty()) {
            throw new IllegalArgumentException(pem + " holds no PEM CERTIFICATE block");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>();
            for (byte[] der : blocks) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
            return List.copyOf(certificates);
        } catch (CertificateException bad) {
            throw new IllegalArgumentException(pem + " holds a CERTIFICATE block that is not an X.509 certificate: "
                    + bad.getMessage(), bad);
        }
    }

    /** The private key of the one {@code PRIVATE KEY} block (unencrypted PKCS#8) in {@code pem}: EC or RSA. */
    public static PrivateKey privateKey(Path pem) {
        List<byte[]> blocks = blocks(pem, "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new IllegalArgumentException(pem + " must hold exactly one PEM PRIVATE KEY block (unencrypted "
                    + "PKCS#8), not " + blocks.size());
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(blocks.get(0));
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException notThisAlgorithm) {
                // Try the next algorithm.
            } catch (GeneralSecurityException impossible) {
                throw new IllegalStateException("this JDK has no " + algorithm + " key factory", impossible);
            }
        }
        throw new IllegalArgumentException(pem + " holds a PRIVATE KEY that is neither an EC nor an RSA PKCS#8 key");
    }

    /** Trust managers that trust exactly the certificates in {@code caPem} (and no default authority). */
    public static TrustManagerFactory trustManagers(Path caPem) {
        try {
            KeyStore store = emptyStore();
            int i = 0;
            for (X509Certificate certificate : certificates(caPem)) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (GeneralSecurityException failed) {
            throw new IllegalArgumentException("cannot trust the certificates of " + caPem + ": "
                    + failed.getMessage(), failed);
        }
    }

    /**
     * Key managers that present the certificate chain in {@code certificatePem} (the client's own first) with the key
     * in {@code keyPem}.
     */
    public static KeyManagerFactory keyManagers(Path certificatePem, Path keyPem) {
        List<X509Certificate> chain = certificates(certificatePem);
        PrivateKey key = privateKey(keyPem);
        if (!belongTogether(key, chain.get(0))) {
            throw new IllegalArgumentException("the key in " + keyPem + " does not belong to the certificate in "
                    + certificatePem);
        }
        try {
            KeyStore store = emptyStore();
            store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            return factory;
        } catch (GeneralSecurityException failed) {
            throw new IllegalArgumentException("cannot use " + certificatePem + " with " + keyPem + ": "
                    + failed.getMessage(), failed);
        }
    }

    /**
     * A TLS 1.3 client context: trusting {@code caPem}'s certificates (null: the JDK's default trust store) and
     * presenting {@code certificatePem} with {@code keyPem} (both null: no client certificate).
     *
     * @throws IllegalArgumentException a file is wrong (see the class comment), or only one of certificate and key is
     *     given
     */
    public static SSLContext sslContext(Path caPem, Path certificatePem, Path keyPem) {
        if ((certificatePem == null) != (keyPem == null)) {
            throw new IllegalArgumentException("a client certificate and its key go together");
        }
        try {
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(certificatePem == null ? null : keyManagers(certificatePem, keyPem).getKeyManagers(),
                    caPem == null ? null : trustManagers(caPem).getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException failed) {
            throw new IllegalStateException("this JDK cannot make a " + PROTOCOL + " context: " + failed.getMessage(),
                    failed);
        }
    }

    /** Whether {@code key} is the private half of {@code certificate}'s public key: it signs, the certificate verifies. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        if (!certificate.getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            return false;
        }
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] probe = "synod: does this key belong to this certificate?".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException mismatched) {
            return false;
        }
    }

    /** The DER bytes of every {@code kind} block in {@code pem}, in file order. */
    private static List<byte[]> blocks(Path pem, String kind) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException missing) {
            throw new IllegalArgumentException("no such file: " + pem, missing);
        } catch (IOException | java.io.UncheckedIOException unreadable) {
            throw new IllegalArgumentException("cannot read " + pem + ": " + unreadable.getMessage(), unreadable);
        }
        List<byte[]> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(kind)) {
                try {
                    blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
                } catch (IllegalArgumentException notBase64) {
                    throw new IllegalArgumentException(pem + " holds a " + kind + " block that is not base64", notBase64);
                }
            }
        }
        return blocks;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException impossible) {
            throw new IllegalStateException("an empty key store cannot fail to load", impossible);
        }
        return store;
    }
}
