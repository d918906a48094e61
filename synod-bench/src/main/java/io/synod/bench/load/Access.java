package io.synod.bench.load;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * How the load reaches a node that wants TLS and a token: the CA to trust for {@code https://} endpoints, an optional
 * client certificate, and the bearer token every request carries. Every part is optional (null).
 *
 * @param ca PEM CA certificates trusted for {@code https://} endpoints (needed for them)
 * @param certificate a client certificate chain (PEM), with {@code key}
 * @param key the client certificate's PKCS#8 PEM key, with {@code certificate}
 * @param token the bearer token sent as {@code Authorization: Bearer TOKEN}
 */
public record Access(Path ca, Path certificate, Path key, String token) {
    /** Plain HTTP, no token. */
    public static final Access NONE = new Access(null, null, null, null);

    /** @throws IllegalArgumentException if only one of certificate and key is given, or a file cannot be read */
    public Access {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("--cert and --key go together");
        }
        for (Path file : new Path[] {ca, certificate, key}) {
            if (file != null && !Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read " + file);
            }
        }
        if (token != null && (token.isBlank() || !token.chars().allMatch(c -> c > 32 && c < 127))) {
            throw new IllegalArgumentException("--token must be printable ASCII without spaces");
        }
    }

    /** The Authorization header line (with CRLF) or an empty string. */
    String authorizationLine() {
        return token == null ? "" : "Authorization: Bearer " + token + "\r\n";
    }

    /**
     * The Netty context for {@code https://} endpoints: TLS 1.3, the JDK provider, host names checked.
     *
     * @throws IllegalArgumentException without a CA, or if a file is not the PEM it should be
     */
    SslContext sslContext() {
        if (ca == null) {
            throw new IllegalArgumentException("an https:// endpoint needs --ca (or SYNOD_CA): the CA to trust");
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().trustManager(ca.toFile())
                    .protocols("TLSv1.3").sslProvider(SslProvider.JDK).endpointIdentificationAlgorithm("HTTPS");
            if (certificate != null) {
                builder.keyManager(certificate.toFile(), key.toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load TLS files (--ca " + ca + "): " + e.getMessage(), e);
        }
    }

    /** The same as a JDK SSLContext, for the JDK HttpClient that finds the master. */
    SSLContext jdkContext() {
        return ((JdkSslContext) sslContext()).context();
    }
}
