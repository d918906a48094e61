package io.synod.net;

import io.synod.net.proto.Frame;
import io.synod.net.proto.Hello;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** A hand-driven peer on a plain java.net.Socket: writes raw bytes or frames, reads frames, notices being closed. */
final class RawPeer implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(30_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    static RawPeer connect(int port) throws IOException {
        return new RawPeer(new Socket("127.0.0.1", port));
    }

    static Frame hello(int protocolVersion, String clusterId, int nodeId) {
        return Frame.newBuilder()
                .setHello(Hello.newBuilder().setProtocolVersion(protocolVersion).setClusterId(clusterId)
                        .setNodeId(nodeId).setHttpUrl("http://raw:" + nodeId))
                .build();
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void writeFrame(Frame frame) throws IOException {
        byte[] bytes = frame.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }

    Frame readFrame() throws IOException {
        int length = in.readInt();
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return Frame.parseFrom(bytes);
    }

    /**
     * Reads until the other side closes the connection; returns true if it did (end of stream or reset) within the
     * socket timeout, false if it stayed open. Frames that arrive meanwhile are skipped.
     */
    boolean awaitClosedByPeer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException | SocketException e) {
            return true; // reset by peer
        }
    }

    int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
