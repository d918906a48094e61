package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Every field of a {@link LoadSpec} is checked, and a bad one is named by its flag in one sentence. */
class LoadSpecTest {
    /** The fields of a valid spec, changed one at a time by the tests. */
    private record Fields(List<URI> endpoints, int clients, int threads, Duration duration, Duration warmup,
            int valueSize, double readRatio, LoadSpec.Consistency consistency, int keys, Duration timeout) {
        LoadSpec spec() {
            return new LoadSpec(endpoints, clients, threads, duration, warmup, valueSize, readRatio, consistency, keys,
                    false, true, timeout);
        }
    }

    private static final Fields VALID = new Fields(List.of(URI.create("http://127.0.0.1:7101")), 8, 1,
            Duration.ofSeconds(2), Duration.ofSeconds(1), 100, 0.5, LoadSpec.Consistency.LINEARIZABLE, 1000,
            Duration.ofSeconds(5));

    private static void assertRefused(UnaryOperator<Fields> change, String flag) {
        assertThatThrownBy(() -> change.apply(VALID).spec()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(flag).hasMessageNotContaining("\n");
    }

    private static Fields with(Fields f, int clients, int threads) {
        return new Fields(f.endpoints, clients, threads, f.duration, f.warmup, f.valueSize, f.readRatio,
                f.consistency, f.keys, f.timeout);
    }

    @Test
    void aValidSpecIsAccepted() {
        LoadSpec spec = VALID.spec();
        assertThat(spec.clients()).isEqualTo(8);
        assertThat(new Fields(VALID.endpoints, 1, 1, Duration.ofMillis(1), Duration.ZERO, 0, 1.0,
                LoadSpec.Consistency.STALE, 1, Duration.ofMillis(1)).spec().readRatio()).isEqualTo(1.0);
    }

    @Test
    void badEndpointsAreRefused() {
        for (String bad : List.of("ftp://127.0.0.1:1", "//127.0.0.1:7101", "http://127.0.0.1", "http://h:1/v1",
                "http://h:1/?x=1")) {
            assertRefused(f -> new Fields(List.of(URI.create(bad)), f.clients, f.threads, f.duration, f.warmup,
                    f.valueSize, f.readRatio, f.consistency, f.keys, f.timeout), "--endpoints");
        }
        assertRefused(f -> new Fields(List.of(), f.clients, f.threads, f.duration, f.warmup, f.valueSize,
                f.readRatio, f.consistency, f.keys, f.timeout), "--endpoints");
    }

    @Test
    void countsOutOfRangeAreRefused() {
        assertRefused(f -> with(f, 0, 1), "--clients");
        assertRefused(f -> with(f, LoadSpec.MAX_CLIENTS + 1, 1), "--clients");
        assertRefused(f -> with(f, 8, 0), "--threads");
        assertRefused(f -> with(f, 2, 3), "--threads");
        assertRefused(f -> new Fields(f.endpoints, f.clients, f.threads, f.duration, f.warmup, -1, f.readRatio,
                f.consistency, f.keys, f.timeout), "--value-size");
        assertRefused(f -> new Fields(f.endpoints, f.clients, f.threads, f.duration, f.warmup,
                LoadSpec.MAX_VALUE_SIZE + 1, f.readRatio, f.consistency, f.keys, f.timeout), "--value-size");
        assertRefused(f -> new Fields(f.endpoints, f.clients, f.threads, f.duration, f.warmup, f.valueSize,
                f.readRatio, f.consistency, 0, f.timeout), "--keys");
    }

    @Test
    void ratiosAndDurationsOutOfRangeAreRefused() {
        for (double bad : new double[] {-0.1, 1.01, Double.NaN}) {
            assertRefused(f -> new Fields(f.endpoints, f.clients, f.threads, f.duration, f.warmup, f.valueSize, bad,
                    f.consistency, f.keys, f.timeout), "--read-ratio");
        }
        assertRefused(f -> new Fields(f.endpoints, f.clients, f.threads, Duration.ZERO, f.warmup, f.valueSize,
                f.readRatio, f.consistency, f.keys, f.timeout), "--duration");
        assertRefused(f -> new Fields(f.endpoints, f.clients, f.threads, f.duration, Duration.ofSeconds(-1),
                f.valueSize, f.readRatio, f.consistency, f.keys, f.timeout), "--warmup");
        assertRefused(f -> new Fields(f.endpoints, f.clients, f.threads, f.duration, f.warmup, f.valueSize,
                f.readRatio, f.consistency, f.keys, Duration.ZERO), "--timeout");
        assertRefused(f -> new Fields(f.endpoints, f.clients, f.threads, f.duration, f.warmup, f.valueSize,
                f.readRatio, null, f.keys, f.timeout), "--consistency");
    }

    @Test
    void consistenciesParseFromTheirWireNamesOnly() {
        assertThat(LoadSpec.Consistency.parse("quorum")).isEqualTo(LoadSpec.Consistency.QUORUM);
        assertThat(LoadSpec.Consistency.STALE.wire()).isEqualTo("stale");
        assertThatThrownBy(() -> LoadSpec.Consistency.parse("LINEARIZABLE"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--consistency");
    }
}
