package io.synod.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay on 127.0.0.1 between a dialer and the port it forwards to, which records the bytes of its first
 * connection in both directions: what a passive eavesdropper on the wire would see, for replay tests.
 */
final class RecordingRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final ByteArrayOutputStream fromDialer = new ByteArrayOutputStream();
    private final ByteArrayOutputStream fromAcceptor = new ByteArrayOutputStream();
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread acceptor;

    RecordingRelay(int listenPort, int targetPort) throws IOException {
        this.listener = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress());
        this.target = targetPort;
        this.acceptor = new Thread(this::acceptLoop, "relay-" + listenPort);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        boolean first = true;
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                synchronized (sockets) {
                    sockets.add(in);
                    sockets.add(out);
                }
                pump(in, out, first ? fromDialer : null);
                pump(out, in, first ? fromAcceptor : null);
                first = false;
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void pump(Socket from, Socket to, ByteArrayOutputStream record) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (record != null) {
                        synchronized (record) {
                            record.write(buffer, 0, n);
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: the other follows through the try-with-resources
            }
        }, "relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** The frames the dialer sent on the first connection so far, each with its 4-byte length prefix. */
    List<byte[]> framesFromDialer() {
        return frames(fromDialer);
    }

    /** The frames the accepting side sent on the first connection so far, each with its length prefix. */
    List<byte[]> framesFromAcceptor() {
        return frames(fromAcceptor);
    }

    private static List<byte[]> frames(ByteArrayOutputStream record) {
        byte[] bytes;
        synchronized (record) {
            bytes = record.toByteArray();
        }
        List<byte[]> frames = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.remaining() >= 4 && buffer.remaining() >= 4 + buffer.getInt(buffer.position())) {
            byte[] frame = new byte[4 + buffer.getInt(buffer.position())];
            buffer.get(frame);
            frames.add(frame);
        }
        return frames;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (sockets) {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
