package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The summary: figures from the histograms, in text and as one JSON object, and when a run counts as failed. */
class LoadReportTest {
    private static final LoadSpec SPEC = new LoadSpec(List.of(URI.create("http://127.0.0.1:7101")), 8, 2,
            Duration.ofSeconds(2), Duration.ofSeconds(1), 100, 0.5, LoadSpec.Consistency.QUORUM, 1000, false, true,
            Duration.ofSeconds(5));

    /** {@code count} values 1..count microseconds. */
    private static Histogram uniform(int count) {
        Histogram histogram = LoadStats.histogram();
        for (int i = 1; i <= count; i++) {
            histogram.recordValue(i);
        }
        return histogram;
    }

    private static LoadReport report(Histogram reads, Histogram writes, Map<String, Long> errors) {
        return report(reads, writes, errors, 7);
    }

    private static LoadReport report(Histogram reads, Histogram writes, Map<String, Long> errors, long notFound) {
        Histogram total = LoadStats.histogram();
        total.add(reads);
        total.add(writes);
        return new LoadReport(SPEC, List.of(URI.create("http://127.0.0.1:7102")), 2.0,
                LoadReport.OpStats.of(reads, notFound, 2.0), LoadReport.OpStats.of(writes, 0, 2.0),
                LoadReport.OpStats.of(total, notFound, 2.0), errors, 1000, 3);
    }

    @Test
    void opStatsComeFromTheHistogram() {
        LoadReport.OpStats stats = LoadReport.OpStats.of(uniform(1000), 5, 2.0);
        assertThat(stats.ops()).isEqualTo(1000);
        assertThat(stats.opsPerSecond()).isEqualTo(500.0);
        assertThat(stats.p50Us()).isEqualTo(500);
        assertThat(stats.p90Us()).isEqualTo(900);
        assertThat(stats.p99Us()).isEqualTo(990);
        assertThat(stats.p999Us()).isEqualTo(999);
        assertThat(stats.maxUs()).isEqualTo(1000);
        assertThat(stats.notFound()).isEqualTo(5);
        assertThat(LoadReport.OpStats.of(LoadStats.histogram(), 0, 2.0).p99Us()).isZero();
    }

    @Test
    void theJsonHasEveryFigure() throws Exception {
        JsonNode json = new ObjectMapper().readTree(report(uniform(1000), uniform(10),
                Map.of("NO_MASTER", 3L, "TIMEOUT", 1L)).json());
        assertThat(json.at("/config/clients").asInt()).isEqualTo(8);
        assertThat(json.at("/config/consistency").asText()).isEqualTo("quorum");
        assertThat(json.at("/targets/0").asText()).isEqualTo("http://127.0.0.1:7102");
        assertThat(json.at("/seconds").asDouble()).isEqualTo(2.0);
        assertThat(json.at("/read/ops").asLong()).isEqualTo(1000);
        assertThat(json.at("/read/opsPerS").asDouble()).isEqualTo(500.0);
        assertThat(json.at("/read/notFound").asLong()).isEqualTo(7);
        assertThat(json.at("/read/latencyUs/p99").asLong()).isEqualTo(990);
        assertThat(json.at("/read/latencyUs/p999").asLong()).isEqualTo(999);
        assertThat(json.at("/write/ops").asLong()).isEqualTo(10);
        assertThat(json.at("/write/latencyUs/max").asLong()).isEqualTo(10);
        assertThat(json.at("/total/ops").asLong()).isEqualTo(1010);
        assertThat(json.at("/errors/total").asLong()).isEqualTo(4);
        assertThat(json.at("/errors/byCode/NO_MASTER").asLong()).isEqualTo(3);
        assertThat(json.at("/errors/byCode/TIMEOUT").asLong()).isEqualTo(1);
        assertThat(json.at("/preload/keys").asLong()).isEqualTo(1000);
        assertThat(json.at("/preload/failed").asLong()).isEqualTo(3);
    }

    @Test
    void theTextShowsRowsNotFoundAndErrorsByCode() {
        String text = report(uniform(1000), uniform(10), Map.of("TIMEOUT", 1L, "NO_MASTER", 3L)).text();
        assertThat(text).contains("8 clients on 2 threads", "read ratio 0.50 (quorum)", "(master)")
                .contains("reads answered 404 (key not there): 7")
                .contains("errors: 4 (NO_MASTER 3, TIMEOUT 1)")
                .containsPattern("read +1000 +500\\.0 +500 +900 +990 +999 +1000")
                .containsPattern("total +1010 ");
        assertThat(report(uniform(1), uniform(1), Map.of(), 0).text()).contains("errors: none")
                .doesNotContain("404");
    }

    @Test
    void aRunWithNothingAnsweredFailed() {
        assertThat(report(LoadStats.histogram(), LoadStats.histogram(), Map.of("CONNECTION", 9L)).allFailed())
                .isTrue();
        assertThat(report(uniform(1), LoadStats.histogram(), Map.of("CONNECTION", 9L)).allFailed()).isFalse();
    }
}
