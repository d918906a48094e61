package io.synod.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Where a run's connections go: with {@code --spread} every endpoint (connection i to endpoint i mod n), else the
 * master, the {@code masterHttp} that an endpoint's {@code GET /v1/status} names (DESIGN.md §1), asked of each
 * endpoint in turn until one names it or a wait ({@link #MASTER_WAIT} in a run) has passed (an election may be under way).
 */
final class Targets {
    static final Duration MASTER_WAIT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private Targets() {
    }

    /**
     * The targets of {@code spec}; throws {@link IllegalStateException} when no endpoint names a master within
     * {@code masterWait}.
     */
    static List<URI> resolve(LoadSpec spec, Duration masterWait) throws InterruptedException {
        if (spec.spread()) {
            return spec.endpoints();
        }
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1));
        if (spec.endpoints().stream().anyMatch(endpoint -> "https".equals(endpoint.getScheme()))) {
            builder.sslContext(spec.access().jdkContext());
        }
        HttpClient client = builder.build();
        long deadline = System.nanoTime() + masterWait.toNanos();
        String last = "no answer";
        while (true) {
            for (URI endpoint : spec.endpoints()) {
                try {
                    HttpRequest.Builder status = HttpRequest.newBuilder(endpoint.resolve("/v1/status"))
                            .timeout(Duration.ofSeconds(2));
                    if (spec.access().token() != null) {
                        status.header("Authorization", "Bearer " + spec.access().token());
                    }
                    HttpResponse<String> response = client.send(status.build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        last = endpoint + " answered " + response.statusCode();
                        continue;
                    }
                    JsonNode master = JSON.readTree(response.body()).path("masterHttp");
                    if (master.isTextual()) {
                        return List.of(URI.create(master.asText()));
                    }
                    last = endpoint + " knows no master";
                } catch (IOException | IllegalArgumentException unreachable) {
                    last = endpoint + ": " + (unreachable.getMessage() != null ? unreachable.getMessage()
                            : unreachable.getClass().getSimpleName());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no endpoint named a master within " + masterWait.toMillis() / 1000.0
                        + " s (last: " + last + "); use --spread to load the endpoints themselves");
            }
            Thread.sleep(100);
        }
    }
}
