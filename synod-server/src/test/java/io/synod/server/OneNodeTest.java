package io.synod.server;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The base of API tests that share one real node for the whole class. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class OneNodeTest {
    @TempDir
    static Path dir;

    static LocalCluster cluster;
    static Http http;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(dir, 1);
        http = cluster.http(0);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
