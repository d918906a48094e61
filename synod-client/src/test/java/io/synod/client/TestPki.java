package io.synod.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for the client's TLS tests, made with the JDK's own {@code keytool} (synod-client depends on no
 * certificate library): a CA, and leaf certificates it signs, written as PEM the way {@code synod certs} writes
 * them ({@code CERTIFICATE} blocks, unencrypted PKCS#8 {@code PRIVATE KEY}). The private key is taken out of
 * keytool's PKCS12 store with the {@link KeyStore} API, since keytool does not export keys.
 */
final class TestPki {
    private static final String PASSWORD = "changeit";

    private final Path dir;
    private final String caName;

    /** A new CA named {@code CN=<name>} in {@code dir}: {@code <name>.p12} and {@code <name>.crt}. */
    TestPki(Path dir, String name) {
        this.dir = dir;
        this.caName = name;
        keytool("-genkeypair", "-keystore", store(name).toString(), "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "bc:c",
                "-validity", "2");
        keytool("-exportcert", "-rfc", "-keystore", store(name).toString(), "-storepass", PASSWORD, "-alias", name,
                "-file", caCertificate().toString());
    }

    /** The CA's certificate, PEM. */
    Path caCertificate() {
        return dir.resolve(caName + ".crt");
    }

    /** A leaf's files: its certificate chain's first link and its key, PEM. */
    record Leaf(Path certificate, Path key) {}

    /**
     * Issues {@code CN=<name>} with key algorithm {@code keyAlgorithm} (EC or RSA), naming {@code names} (keytool's
     * {@code san=} syntax, for example {@code ip:127.0.0.1,dns:localhost}; empty for none), usable to accept and to dial.
     */
    Leaf issue(String name, String keyAlgorithm, String names) {
        Path store = store(name);
        List<String> generate = new ArrayList<>(List.of("-genkeypair", "-keystore", store.toString(), "-storetype",
                "PKCS12", "-storepass", PASSWORD, "-alias", name, "-keyalg", keyAlgorithm, "-dname", "CN=" + name));
        if (keyAlgorithm.equals("EC")) {
            generate.addAll(List.of("-groupname", "secp256r1"));
        } else {
            generate.addAll(List.of("-keysize", "2048"));
        }
        keytool(generate.toArray(String[]::new));
        Path request = dir.resolve(name + ".csr");
        keytool("-certreq", "-keystore", store.toString(), "-storepass", PASSWORD, "-alias", name, "-file",
                request.toString());
        Path certificate = dir.resolve(name + ".crt");
        List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-keystore", store(caName).toString(),
                "-storepass", PASSWORD, "-alias", caName, "-infile", request.toString(), "-outfile",
                certificate.toString(), "-validity", "2", "-ext", "eku=serverAuth,clientAuth"));
        if (!names.isEmpty()) {
            sign.addAll(List.of("-ext", "san=" + names));
        }
        keytool(sign.toArray(String[]::new));
        Path key = dir.resolve(name + ".key");
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(store)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            PrivateKey privateKey = (PrivateKey) keys.getKey(name, PASSWORD.toCharArray());
            Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()), StandardCharsets.US_ASCII);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot export the key of " + name, e);
        }
        return new Leaf(certificate, key);
    }

    /** {@code der} as a PEM block of {@code kind}. */
    static String pem(String kind, byte[] der) {
        return "-----BEGIN " + kind + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + kind + "-----\n";
    }

    private Path store(String name) {
        return dir.resolve(name + ".p12");
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
