package io.synod.net.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * A node's TLS material, as given by {@code --tls-cert}, {@code --tls-key} and {@code --tls-ca}: its certificate
 * chain and private key (PEM, the key unencrypted PKCS#8) and the CA certificates it trusts (PEM). It makes the Netty
 * contexts for both sides of a connection: TLS 1.3 only, the JDK provider.
 *
 * <ul>
 *   <li>{@link #serverContext(boolean)}: for accepting. With {@code requireClientCertificate} a peer must present a
 *       certificate signed by the CA or the handshake fails (the peer protocol); without it a certificate is asked
 *       for, checked if one comes, and not required (the HTTP API, where tokens authenticate).</li>
 *   <li>{@link #clientContext()}: for dialing. Presents this node's certificate and checks the other side's against
 *       the CA and against the host name dialed (HTTPS endpoint identification: a DNS name or IP address in the
 *       certificate's subject alternative names).</li>
 * </ul>
 *
 * @param certificate the certificate chain file, this node's first
 * @param key the private key file
 * @param ca the trusted CA certificates file
 */
public record TlsFiles(Path certificate, Path key, Path ca) {
    /** The only protocol offered or accepted. */
    public static final String PROTOCOL = "TLSv1.3";

    /**
     * Checks that the three files exist and can be read.
     *
     * @throws IllegalArgumentException naming the first file that cannot be read
     */
    public TlsFiles {
        for (Path file : new Path[] {certificate, key, ca}) {
            if (file == null) {
                throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca go together");
            }
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("cannot read TLS file " + file);
            }
        }
    }

    /**
     * The context for accepted connections.
     *
     * @throws IllegalArgumentException if a file is not the PEM it should be (the message names it)
     */
    public SslContext serverContext(boolean requireClientCertificate) {
        try {
            return SslContextBuilder.forServer(certificate.toFile(), key.toFile())
                    .trustManager(ca.toFile())
                    .clientAuth(requireClientCertificate ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL)
                    .protocols(PROTOCOL)
                    .sslProvider(SslProvider.JDK)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    /**
     * The context for dialed connections; create handlers with {@code newHandler(alloc, host, port)} so the host
     * name is checked.
     *
     * @throws IllegalArgumentException if a file is not the PEM it should be (the message names it)
     */
    public SslContext clientContext() {
        try {
            return SslContextBuilder.forClient()
                    .keyManager(certificate.toFile(), key.toFile())
                    .trustManager(ca.toFile())
                    .protocols(PROTOCOL)
                    .sslProvider(SslProvider.JDK)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
    }

    private String describe(Exception e) {
        return "cannot load TLS material (--tls-cert " + certificate + ", --tls-key " + key + ", --tls-ca " + ca
                + "): " + e.getMessage();
    }
}
