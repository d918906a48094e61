package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.synod.net.proto.Frame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.slf4j.LoggerFactory;

/**
 * Fuzz target for the Hello: arbitrary bytes on a plain socket to the accepting side of a real NettyTransport (node 3
 * of three, the highest id, so it dials no one; started once per JVM), then the write side is shut and the answer
 * read to the close. The connection must
 * end within the handshake timeout plus a margin, and what node 3 wrote must be nothing or a valid Hello frame (the
 * handshake completed); the transport must log no unexpected error (every refusal goes through the handshake-refused
 * or bad-frame path). Written against the Hello of protocol version 1 through the socket only, so it survives changes
 * to the handshake. Kept inputs under {@code HelloFuzzTestInputs/} replay without {@code JAZZER_FUZZ}.
 */
class HelloFuzzTest {
    private static final long HANDSHAKE_TIMEOUT_MS = 2_000;
    private static final ListAppender<ILoggingEvent> TRANSPORT_LOG = new ListAppender<>();
    private static TestNode two;
    /** Like {@link #two}, with a cluster secret: a Hello with a nonce gets a proof back and must prove in return. */
    private static TestNode guarded;

    @BeforeAll
    static void startNode() {
        Logger logger = (Logger) LoggerFactory.getLogger(NettyTransport.class);
        logger.setLevel(Level.WARN); // refusals are counted by the listener; one log line per input would drown it
        TRANSPORT_LOG.start();
        logger.addAppender(TRANSPORT_LOG);
        Map<Integer, InetSocketAddress> peers = TestNode.peers(TestNode.freePorts(3));
        two = TestNode.started(TestNode.config(3, "test-cluster", peers,
                b -> b.handshakeTimeoutMs(HANDSHAKE_TIMEOUT_MS)));
        byte[] key = "a fuzzed node's cluster secret, 32b".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        guarded = TestNode.started(TestNode.config(3, "test-cluster", TestNode.peers(TestNode.freePorts(3)),
                b -> b.handshakeTimeoutMs(HANDSHAKE_TIMEOUT_MS).clusterSecret(ClusterSecret.of(key))));
    }

    @AfterAll
    static void stopNode() {
        two.close();
        guarded.close();
        ((Logger) LoggerFactory.getLogger(NettyTransport.class)).detachAppender(TRANSPORT_LOG);
    }

    @FuzzTest(maxDuration = "10m")
    void hello(byte[] bytes) throws IOException {
        // Jazzer's SSRF detector refuses every connection it sees while fuzzing; the target dials its own node on
        // the loopback interface, so that, and only that, is allowed.
        try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"))) {
            exchangeAndCheck(two, bytes);
        }
    }

    /** The same against a node with a cluster secret: the nonce, proof and HelloProof paths of the handshake. */
    @FuzzTest(maxDuration = "10m")
    void helloWithSecret(byte[] bytes) throws IOException {
        try (SilentCloseable loopbackOnly = BugDetectors.allowNetworkConnections(
                (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"))) {
            exchangeAndCheck(guarded, bytes);
            // Joining takes a proof under the secret, which arbitrary bytes cannot make.
            assertThat(guarded.listener.connects.get()).as("connections established without the secret, after %d "
                    + "bytes", bytes.length).isZero();
        }
    }

    private static void exchangeAndCheck(TestNode node, byte[] bytes) throws IOException {
        byte[] answer = exchange(node, bytes);
        if (answer.length > 0) {
            assertThat(answer.length).as("a length prefix").isGreaterThanOrEqualTo(FrameDecoder.LENGTH_PREFIX_BYTES);
            int length = ByteBuffer.wrap(answer).getInt();
            assertThat(length).as("the first frame's length").isBetween(0, answer.length - 4);
            Frame first = Frame.parseFrom(Arrays.copyOfRange(answer, 4, 4 + length));
            assertThat(first.getBodyCase()).as("node 3 answers only with its Hello").isEqualTo(Frame.BodyCase.HELLO);
        }
        for (ILoggingEvent event : TRANSPORT_LOG.list) {
            if (event.getLevel().isGreaterOrEqual(Level.WARN)
                    && event.getFormattedMessage().contains("unexpected error")) {
                fail("transport logged " + event.getFormattedMessage() + " "
                        + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getClassName() + ": "
                        + event.getThrowableProxy().getMessage()));
            }
        }
    }

    private static byte[] exchange(TestNode node, byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            int port = node.transport.config().listenAddress().getPort();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) HANDSHAKE_TIMEOUT_MS + 5_000);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
                socket.shutdownOutput();
            } catch (IOException closedEarly) {
                // node 3 refused and closed before reading everything; the answer is still checked
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException hang) {
                fail("connection still open " + (HANDSHAKE_TIMEOUT_MS + 5_000) + " ms after " + request.length
                        + " bytes and the end of the stream");
            } catch (IOException reset) {
                // a reset is a close
            }
            return answer.toByteArray();
        }
    }
}
