package io.synod.dist.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fault-injecting TCP proxy on 127.0.0.1: every connection it accepts is forwarded to {@code target}, one thread per
 * direction. Faults:
 * <ul>
 *   <li>{@link #drop}: close every connection and refuse new ones (accept and close at once);</li>
 *   <li>{@link #hold}: stop forwarding one direction; bytes (and an end of stream) wait in the proxy and go through
 *   in order when the hold is lifted, as after a network partition heals (TCP never loses bytes mid-stream);</li>
 *   <li>{@link #delay}: forward each chunk only after a delay.</li>
 * </ul>
 * {@link #heal} lifts every fault. Thread-safe.
 */
final class TcpProxy implements AutoCloseable {
    /** FORWARD: from the side that connected to the proxy towards the target; BACKWARD: the answers. */
    enum Direction { FORWARD, BACKWARD }

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean dropping;
    private volatile boolean closed;
    private final boolean[] held = new boolean[2];
    private volatile long delayMs;
    /** The first bytes the first connection sent FORWARD (up to {@link #RECORDED_MAX}), for replay tests. */
    private final java.io.ByteArrayOutputStream recorded = new java.io.ByteArrayOutputStream();
    private volatile Socket recordedFrom;
    private static final int RECORDED_MAX = 64 * 1024;

    TcpProxy(String name, InetSocketAddress target) throws IOException {
        this.name = name;
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "proxy-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port());
    }

    /** Connections accepted so far (including refused ones). */
    int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    int open() {
        return sockets.size() / 2;
    }

    /** Closes every connection and refuses new ones while {@code on}. */
    void drop(boolean on) {
        dropping = on;
        if (on) {
            closeAll();
        }
    }

    /** Holds (or releases) the bytes going one way. */
    void hold(Direction direction, boolean on) {
        lock.lock();
        try {
            held[direction.ordinal()] = on;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The first bytes (at most 64 KiB) the first connection through this proxy sent FORWARD, in order: what a dialing
     * node said first, to replay it later on a connection of one's own.
     */
    byte[] recordedForward() {
        synchronized (recorded) {
            return recorded.toByteArray();
        }
    }

    /** Delays every forwarded chunk by {@code ms} (0: no delay). */
    void delay(long ms) {
        delayMs = ms;
    }

    /** Lifts every fault. */
    void heal() {
        dropping = false;
        delayMs = 0;
        lock.lock();
        try {
            held[0] = false;
            held[1] = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException stopped) {
                return;
            }
            accepted.incrementAndGet();
            if (dropping) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, 2_000);
            } catch (IOException targetDown) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            if (dropping || closed) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            if (recordedFrom == null) {
                recordedFrom = client;
            }
            start(client, upstream, Direction.FORWARD);
            start(upstream, client, Direction.BACKWARD);
        }
    }

    private void start(Socket from, Socket to, Direction direction) {
        Thread pump = new Thread(() -> pump(from, to, direction),
                "proxy-" + name + "-" + direction.name().toLowerCase(java.util.Locale.ROOT));
        pump.setDaemon(true);
        pump.start();
    }

    private void pump(Socket from, Socket to, Direction direction) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                int n = in.read(buffer);
                if (!awaitReleased(direction, from, to)) {
                    return;
                }
                if (n < 0) {
                    return;
                }
                long delay = delayMs;
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                if (from == recordedFrom) {
                    synchronized (recorded) {
                        recorded.write(buffer, 0, Math.min(n, RECORDED_MAX - recorded.size()));
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException ended) {
            // the connection is over
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    /** Waits while the direction is held; false if the connection was closed meanwhile. */
    private boolean awaitReleased(Direction direction, Socket from, Socket to) throws InterruptedException {
        lock.lock();
        try {
            while (held[direction.ordinal()] && !closed && !from.isClosed() && !to.isClosed()) {
                changed.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            return !closed && !from.isClosed() && !to.isClosed();
        } finally {
            lock.unlock();
        }
    }

    private void closeAll() {
        for (Socket socket : sockets) {
            closeQuietly(socket);
        }
        sockets.clear();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        closeAll();
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "proxy " + name + " :" + port() + " -> " + target.getPort();
    }
}
