package io.synod.dist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The end-to-end tests' fault-injecting proxy does what they rely on, against an echo server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpProxyTest {
    private ServerSocket echo;
    private TcpProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread connection = new Thread(() -> {
                        try (socket) {
                            socket.getInputStream().transferTo(socket.getOutputStream());
                        } catch (IOException ignored) {
                            // closed
                        }
                    });
                    connection.setDaemon(true);
                    connection.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        server.setDaemon(true);
        server.start();
        proxy = new TcpProxy("test", new InetSocketAddress("127.0.0.1", echo.getLocalPort()));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(proxy.address(), 2_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        return new String(socket.getInputStream().readNBytes(text.length()), StandardCharsets.UTF_8);
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket socket = connect()) {
            assertThat(roundTrip(socket, "hello")).isEqualTo("hello");
            assertThat(roundTrip(socket, "again")).isEqualTo("again");
        }
    }

    @Test
    void aHeldDirectionKeepsItsBytesAndDeliversThemInOrderOnHeal() throws IOException {
        try (Socket socket = connect()) {
            proxy.hold(TcpProxy.Direction.FORWARD, true);
            socket.getOutputStream().write("one".getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write("two".getBytes(StandardCharsets.UTF_8));
            socket.setSoTimeout(500);
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.heal();
            socket.setSoTimeout(5_000);
            assertThat(new String(socket.getInputStream().readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("onetwo");
        }
    }

    @Test
    void aHeldBackwardDirectionStopsOnlyTheAnswers() throws IOException {
        try (Socket socket = connect()) {
            proxy.hold(TcpProxy.Direction.BACKWARD, true);
            socket.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
            socket.setSoTimeout(500);
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.hold(TcpProxy.Direction.BACKWARD, false);
            socket.setSoTimeout(5_000);
            assertThat(new String(socket.getInputStream().readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("ping");
        }
    }

    @Test
    void dropClosesConnectionsAndRefusesNewOnesUntilHealed() throws IOException {
        Socket before = connect();
        assertThat(roundTrip(before, "x")).isEqualTo("x");
        proxy.drop(true);
        assertThat(endOfStream(before.getInputStream())).isTrue();
        before.close();
        try (Socket during = connect()) {
            assertThat(endOfStream(during.getInputStream())).as("a new connection is closed at once").isTrue();
        }
        proxy.heal();
        try (Socket after = connect()) {
            assertThat(roundTrip(after, "back")).isEqualTo("back");
        }
    }

    @Test
    void delayDelaysEachChunk() throws IOException {
        try (Socket socket = connect()) {
            proxy.delay(200);
            long started = System.nanoTime();
            assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
            assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(390);
        }
    }

    private static boolean endOfStream(InputStream in) {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
