package io.synod.dist.e2e;

import java.net.InetSocketAddress;

/**
 * A cluster of Synod nodes the end-to-end tests drive: start, stop, kill and restart nodes, and break the network
 * between them. Node ids are 0..size-1. Closing it destroys every node and lifts every fault.
 */
interface Cluster extends AutoCloseable {
    int size();

    /** Starts node {@code id} (first start or restart on the same data dir) and waits until it answers HTTP. */
    void start(int id);

    /** Stops node {@code id} cleanly (SIGTERM) and waits until it is gone. */
    void stop(int id);

    /** Kills node {@code id} at once (SIGKILL, like a power cut for the process) and waits until it is gone. */
    void kill(int id);

    /** Kills node {@code id} if it runs, then starts it again. */
    default void restart(int id) {
        if (isRunning(id)) {
            kill(id);
        }
        start(id);
    }

    boolean isRunning(int id);

    /** Node {@code id}'s HTTP base URL, like {@code http://127.0.0.1:1234}. */
    String url(int id);

    /** Where node {@code id} really listens for peers (no proxy in between). */
    InetSocketAddress peerAddress(int id);

    /** Holds every byte between {@code id} and every other node, both ways, until {@link #heal}. */
    void partition(int id);

    /** Holds the bytes going from {@code from} to {@code to} only. */
    void cut(int from, int to);

    /** Closes the connections between {@code a} and {@code b} and refuses new ones, until {@link #heal}. */
    void drop(int a, int b);

    /** Delays the bytes between {@code a} and {@code b}, both ways, by {@code ms}. */
    void delay(int a, int b, long ms);

    /** Lifts every network fault. */
    void heal();

    /** The last {@code lines} lines of node {@code id}'s log (every run of it). */
    String logTail(int id, int lines);

    /** Node {@code id}'s whole log so far. */
    String log(int id);

    @Override
    void close();
}
