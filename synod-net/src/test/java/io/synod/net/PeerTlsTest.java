package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.synod.core.message.CatchUpRequest;
import io.synod.core.message.Envelope;
import io.synod.net.tls.CertificateMaker;
import io.synod.net.tls.TlsFiles;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mutual TLS on real transports over loopback sockets, with real certificates made by {@link CertificateMaker}:
 * nodes with certificates of the cluster CA connect; a peer without a certificate, with one from another CA, or
 * whose certificate does not name the address dialed, and a plain-TCP peer, are refused in the handshake with one
 * log line naming the address and the reason, and deliver nothing.
 */
class PeerTlsTest {
    private final Closer closer = new Closer();
    private final LogCapture log = closer.later(new LogCapture(NettyTransport.class));

    @TempDir
    Path dir;

    private CertificateMaker ca;

    @BeforeAll
    static void generousTimeouts() {
        Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
    }

    @BeforeEach
    void makeCa() throws IOException {
        ca = CertificateMaker.newCa("test cluster CA", Duration.ofDays(1));
        CertificateMaker.writeCertificate(dir.resolve("ca.crt"), ca.caCertificate());
    }

    @AfterEach
    void closeAll() throws Exception {
        closer.close();
    }

    /** A certificate of {@code issuer} with these names, trusting the cluster CA (ca.crt). */
    private TlsFiles files(String name, CertificateMaker issuer, List<String> names) throws IOException {
        CertificateMaker.Issued issued = issuer.issue(name, names, true);
        return new TlsFiles(CertificateMaker.writeCertificate(dir.resolve(name + ".crt"), issued.certificate()),
                CertificateMaker.writeKey(dir.resolve(name + ".key"), issued.keys()), dir.resolve("ca.crt"));
    }

    private TlsFiles nodeFiles(int id) throws IOException {
        return files("node-" + id, ca, CertificateMaker.loopbackNames());
    }

    private TestNode start(int id, Map<Integer, InetSocketAddress> peers, UnaryOperator<TransportConfig.Builder> tweak) {
        return closer.later(TestNode.started(TestNode.config(id, "test-cluster", peers, tweak)));
    }

    private TestNode startTls(int id, Map<Integer, InetSocketAddress> peers) throws IOException {
        TlsFiles files = nodeFiles(id);
        return start(id, peers, b -> b.tls(files));
    }

    /** The one log line about a TLS handshake with a client on {@code localPort}, once it is there. */
    private String tlsLineFor(int localPort) {
        String prefix = "peer TLS handshake with /127.0.0.1:" + localPort + " failed: ";
        await().until(() -> !log.lines(prefix).isEmpty());
        List<String> lines = log.lines(prefix);
        assertThat(lines).hasSize(1);
        return lines.getFirst();
    }

    /** Proves: three nodes on TLS with certificates of the cluster CA connect and exchange messages both ways. */
    @Test
    void tlsNodesExchangeMessages() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(3));
        List<TestNode> nodes = List.of(startTls(1, peers), startTls(2, peers), startTls(3, peers));
        for (TestNode from : nodes) {
            for (TestNode to : nodes) {
                if (from != to) {
                    await().until(() -> from.transport.isConnected(to.id));
                    for (int i = 0; i < 100; i++) {
                        from.transport.send(new Envelope(from.id, to.id, new CatchUpRequest(i)));
                    }
                }
            }
        }
        for (TestNode to : nodes) {
            for (TestNode from : nodes) {
                if (from != to) {
                    await().until(() -> to.receivedFrom(from.id).size() == 100);
                    assertThat(to.receivedFrom(from.id).get(99).message()).isEqualTo(new CatchUpRequest(99));
                }
            }
            assertThat(to.listener.refusals).isEmpty();
            assertThat(to.listener.badFrames).isEmpty();
        }
        assertThat(log.lines("TLS handshake")).isEmpty();
    }

    /** Proves: a plain-TCP peer that sends a Hello to a TLS node is refused in the TLS handshake, with one line. */
    @Test
    void aPlainTcpPeerIsRefused() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode two = startTls(2, peers);
        try (RawPeer raw = RawPeer.connect(peers.get(2).getPort())) {
            raw.writeFrame(RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 1));
            assertThat(raw.awaitClosedByPeer()).isTrue();
            assertThat(tlsLineFor(raw.localPort())).endsWith("failed: the other side does not speak TLS: compare "
                    + "--tls-* on every node");
        }
        assertThat(two.inbox).isEmpty();
        assertThat(two.listener.connects.get()).isZero();
        assertThat(two.listener.refusals).singleElement().asString().startsWith("peer TLS handshake failed");
    }

    /**
     * Proves: a TLS client that presents no certificate is refused by the accepting node with "no client
     * certificate"; the Hello it sends afterwards is never answered.
     */
    @Test
    void aPeerWithoutACertificateIsRefused() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode two = startTls(2, peers);
        JdkSslContext noCertificate = (JdkSslContext) SslContextBuilder.forClient()
                .trustManager(dir.resolve("ca.crt").toFile()).protocols(TlsFiles.PROTOCOL)
                .sslProvider(SslProvider.JDK).build();
        try (SSLSocket socket = (SSLSocket) noCertificate.context().getSocketFactory()
                .createSocket("127.0.0.1", peers.get(2).getPort())) {
            socket.setSoTimeout(30_000);
            socket.startHandshake(); // in TLS 1.3 the client finishes before the server checks it
            int localPort = socket.getLocalPort();
            try {
                byte[] hello = RawPeer.hello(Frames.PROTOCOL_VERSION, "test-cluster", 1).toByteArray();
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeInt(hello.length);
                out.write(hello);
                out.flush();
            } catch (IOException refused) {
                // the alert may arrive before the write
            }
            assertThat(readsToTheEnd(socket.getInputStream())).isEqualTo(0);
            assertThat(tlsLineFor(localPort)).endsWith("failed: no client certificate signed by the cluster CA");
        }
        assertThat(two.listener.connects.get()).isZero();
        assertThat(two.inbox).isEmpty();
    }

    /** Reads until the end of the stream or a TLS alert; returns the bytes of frames that came (none expected). */
    private static int readsToTheEnd(InputStream in) {
        int count = 0;
        try {
            while (in.read() >= 0) {
                count++;
            }
        } catch (IOException closedOrAlert) {
            // the server's alert or reset: closed
        }
        return count;
    }

    /**
     * Proves: a node whose certificate another CA signed (it trusts the cluster CA, so it would accept the other
     * side) is refused by the node it dials, one log line per attempt; the pair never connects and nothing is
     * delivered. (The JDK offers only a certificate of a CA the server names, so the acceptor sees none at all.)
     */
    @Test
    void aNodeWithACertificateFromAnotherCaIsRefused() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        CertificateMaker otherCa = CertificateMaker.newCa("another CA", Duration.ofDays(1));
        TlsFiles foreign = files("intruder", otherCa, CertificateMaker.loopbackNames());
        TestNode two = startTls(2, peers);
        TestNode intruder = start(1, peers, b -> b.tls(foreign));

        String refusal = "node 2: peer TLS handshake with /127.0.0.1:";
        await().until(() -> two.listener.refusals.size() >= 2);
        for (int i = 0; i < 10; i++) {
            intruder.transport.send(new Envelope(1, 2, new CatchUpRequest(i)));
        }
        intruder.close();
        assertThat(two.listener.refusals).containsOnly("peer TLS handshake failed: no client certificate signed by "
                + "the cluster CA");
        assertThat(log.lines(refusal)).hasSameSizeAs(two.listener.refusals)
                .allMatch(line -> line.endsWith("failed: no client certificate signed by the cluster CA"));
        assertThat(intruder.listener.refusals).contains("peer TLS handshake failed: the other side wants a client "
                + "certificate signed by its CA and this node has none: compare --tls-ca on every node");
        assertThat(two.listener.connects.get()).isZero();
        assertThat(intruder.listener.connects.get()).isZero();
        assertThat(two.inbox).isEmpty();
    }

    /**
     * Proves: a client that presents another CA's certificate even though the acceptor asked for the cluster CA's
     * (a hand-made client, not the JDK's default choice) is refused with "certificate not signed by the cluster CA".
     */
    @Test
    void aCertificateFromAnotherCaIsRefusedWhenPresented() throws Exception {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode two = startTls(2, peers);
        CertificateMaker.Issued foreign = CertificateMaker.newCa("another CA", Duration.ofDays(1))
                .issue("intruder", CertificateMaker.loopbackNames(), true);
        try (SSLSocket socket = (SSLSocket) alwaysPresenting(foreign).getSocketFactory()
                .createSocket("127.0.0.1", peers.get(2).getPort())) {
            socket.setSoTimeout(30_000);
            int localPort = socket.getLocalPort();
            try {
                socket.startHandshake();
                socket.getOutputStream().write(new byte[] {0, 0, 0, 0});
                socket.getOutputStream().flush();
            } catch (IOException refused) {
                // the alert may arrive during the handshake or at the first write
            }
            assertThat(readsToTheEnd(socket.getInputStream())).isEqualTo(0);
            assertThat(tlsLineFor(localPort)).endsWith("failed: certificate not signed by the cluster CA");
        }
        assertThat(two.listener.connects.get()).isZero();
    }

    /** A TLS 1.3 client context that presents {@code issued} whatever CAs the server names, trusting everything. */
    private static SSLContext alwaysPresenting(CertificateMaker.Issued issued) throws Exception {
        char[] password = "test".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("intruder", issued.keys().getPrivate(), password,
                new Certificate[] {issued.certificate()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        X509KeyManager keys = (X509KeyManager) factory.getKeyManagers()[0];
        X509ExtendedKeyManager presenting = new X509ExtendedKeyManager() {
            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return "intruder";
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {"intruder"};
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return keys.getServerAliases(keyType, issuers);
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return keys.chooseServerAlias(keyType, issuers, socket);
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return keys.getCertificateChain(alias);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return keys.getPrivateKey(alias);
            }
        };
        SSLContext context = SSLContext.getInstance(TlsFiles.PROTOCOL);
        context.init(new KeyManager[] {presenting}, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        return context;
    }

    /**
     * Proves: a dialing node refuses an accepting node whose certificate (signed by the cluster CA) does not name the
     * address dialed: here it names only other.invalid, and 127.0.0.1 was dialed.
     */
    @Test
    void aCertificateThatDoesNotNameTheDialedAddressIsRefused() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TlsFiles misnamed = files("misnamed", ca, List.of("other.invalid"));
        TestNode two = start(2, peers, b -> b.tls(misnamed));
        TestNode one = startTls(1, peers);

        String refusal = "node 1: peer TLS handshake with /127.0.0.1:" + peers.get(2).getPort() + " failed: ";
        await().until(() -> !log.lines(refusal).isEmpty());
        assertThat(log.lines(refusal)).singleElement().asString()
                .endsWith("failed: certificate does not name 127.0.0.1");
        await().until(() -> one.listener.refusals.size() >= 2);
        assertThat(one.listener.refusals).containsOnly("peer TLS handshake failed: certificate does not name 127.0.0.1");
        assertThat(one.listener.connects.get()).isZero();
        assertThat(two.listener.connects.get()).isZero();
    }

    /**
     * Proves: a plain transport and a TLS one never connect, whichever of them dials: the TLS side refuses a plain
     * dialer's Hello in the TLS handshake, a plain acceptor refuses a TLS ClientHello as a bad frame.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aPlainTransportCannotConnectToATlsOne(boolean dialerHasTls) throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TestNode one = dialerHasTls ? startTls(1, peers) : start(1, peers, b -> b);
        TestNode two = dialerHasTls ? start(2, peers, b -> b) : startTls(2, peers);
        if (dialerHasTls) {
            await().until(() -> two.listener.badFrames.size() >= 2);
            assertThat(two.listener.badFrames).allMatch(reason -> reason.contains("before the handshake (it looks "
                    + "like a TLS handshake: compare --tls-* on every node)"));
        } else {
            await().until(() -> two.listener.refusals.size() >= 2);
            assertThat(two.listener.refusals).allMatch(reason -> reason.contains("does not speak TLS"));
        }
        one.transport.send(new Envelope(1, 2, new CatchUpRequest(1)));
        assertThat(one.listener.connects.get()).isZero();
        assertThat(two.listener.connects.get()).isZero();
        assertThat(two.inbox).isEmpty();
    }

    /** Proves: a connection that never starts its TLS handshake is closed after the one handshake timeout. */
    @Test
    void aSilentConnectionIsClosedAfterTheHandshakeTimeout() throws IOException {
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(2));
        TlsFiles files = nodeFiles(2);
        TestNode two = start(2, peers, b -> b.tls(files).handshakeTimeoutMs(500));
        try (RawPeer mute = RawPeer.connect(peers.get(2).getPort())) {
            assertThat(mute.awaitClosedByPeer()).isTrue();
        }
        await().until(() -> two.listener.refusals.size() == 1);
        assertThat(two.listener.refusals.getFirst()).isEqualTo("TLS handshake not complete within 500 ms");
    }

    /** Proves: files that are not PEM make start() fail with a message naming them, before anything listens. */
    @Test
    void badTlsFilesFailTheStartNamingThem() throws IOException {
        Path notPem = Files.writeString(dir.resolve("garbage.crt"), "not a certificate");
        TlsFiles bad = new TlsFiles(notPem, nodeFiles(1).key(), dir.resolve("ca.crt"));
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(1));
        TestNode node = closer.later(new TestNode(TestNode.config(1, "test-cluster", peers, b -> b.tls(bad))));
        org.assertj.core.api.Assertions.assertThatThrownBy(node.transport::start)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("garbage.crt");
        try (Socket probe = new Socket()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> probe.connect(
                    new InetSocketAddress("127.0.0.1", peers.get(1).getPort()), 1_000))
                    .isInstanceOf(IOException.class);
        }
    }
}
