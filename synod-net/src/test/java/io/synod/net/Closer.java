package io.synod.net;

import java.util.ArrayList;
import java.util.List;

/** What a test opened, closed in reverse order by its {@code @AfterEach} (also what a failing test left open). */
final class Closer implements AutoCloseable {
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Registers {@code resource} to be closed and returns it. */
    <T extends AutoCloseable> T later(T resource) {
        open.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }
}
