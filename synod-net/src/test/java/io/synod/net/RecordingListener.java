package io.synod.net;

import io.synod.core.message.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** A {@link TransportListener} that records everything, for assertions. Thread-safe. */
final class RecordingListener implements TransportListener {
    final Map<DropReason, LongAdder> drops = new ConcurrentHashMap<>();
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger disconnects = new AtomicInteger();
    final List<String> refusals = new CopyOnWriteArrayList<>();
    final List<String> badFrames = new CopyOnWriteArrayList<>();

    long drops(DropReason reason) {
        LongAdder adder = drops.get(reason);
        return adder == null ? 0 : adder.sum();
    }

    @Override
    public void peerConnected(int peer) {
        connects.incrementAndGet();
    }

    @Override
    public void peerDisconnected(int peer) {
        disconnects.incrementAndGet();
    }

    @Override
    public void messageSent(int peer, Class<? extends Message> type, int frameBytes) {
        sent.increment();
    }

    @Override
    public void messageReceived(int peer, Class<? extends Message> type, int frameBytes) {
        received.increment();
    }

    @Override
    public void messageDropped(int peer, Class<? extends Message> type, DropReason reason) {
        drops.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    @Override
    public void handshakeRefused(String remoteAddress, String reason) {
        refusals.add(reason);
    }

    @Override
    public void badFrame(String remoteAddress, String reason) {
        badFrames.add(reason);
    }
}
