package io.synod.dist;

import io.synod.bench.load.Access;
import io.synod.bench.load.LoadGenerator;
import io.synod.bench.load.LoadReport;
import io.synod.bench.load.LoadSpec;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code synod bench}: a closed-loop HTTP load generator against a running cluster ({@link LoadGenerator}). Prints a
 * progress line on stderr once a second and the {@link LoadReport} on stdout at the end (text, or one JSON object with
 * {@code --json}). Exit codes: 0 done, 1 every request failed or no master could be found, 2 a bad flag (one line on
 * stderr).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Loads a cluster like wrk: C keep-alive connections, each with one request in flight, mixing "
                + "GET /v1/kv/k<N>?consistency=C and PUT /v1/kv/k<N> of random keys; prints throughput and latency "
                + "percentiles per op type and the errors by code.",
            "Everything goes to the master (found through GET /v1/status) unless --spread."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--endpoints", paramLabel = "URL,...", split = ",",
            defaultValue = "http://127.0.0.1:7101,http://127.0.0.1:7102,http://127.0.0.1:7103",
            description = "The nodes' HTTP URLs (default: the demo's, ${DEFAULT-VALUE}).")
    List<String> endpoints;

    @Option(names = "--clients", paramLabel = "C", defaultValue = "16",
            description = "Connections, each with one request in flight (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "1",
            description = "Event-loop threads the connections share (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to measure, after the warmup (default: ${DEFAULT-VALUE}).")
    double durationSeconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "2",
            description = "How long to load before measuring (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "100",
            description = "The size of each written value (default: ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--read-ratio", paramLabel = "R", defaultValue = "0.5",
            description = "The share of reads, 0 to 1 (default: ${DEFAULT-VALUE}).")
    double readRatio;

    @Option(names = "--consistency", paramLabel = "C", defaultValue = "linearizable",
            description = "The reads' consistency: linearizable, quorum or stale (default: ${DEFAULT-VALUE}).")
    String consistency;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "1000",
            description = "The key space: keys k0 to k<N-1>, picked at random (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--spread",
            description = "Send to every endpoint, round-robin per connection, instead of only to the master.")
    boolean spread;

    @Option(names = "--preload", negatable = true,
            description = "Write every key once before the run, so reads find them (default: when --read-ratio "
                    + "is above 0).")
    Boolean preload;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "How long a request may wait before it counts as TIMEOUT (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Option(names = "--ca", paramLabel = "FILE", defaultValue = "${env:SYNOD_CA}",
            description = "The CA (PEM) to trust for https:// endpoints (default: $SYNOD_CA).")
    java.nio.file.Path ca;

    @Option(names = "--cert", paramLabel = "FILE", defaultValue = "${env:SYNOD_CERT}",
            description = "A client certificate (PEM), with --key (default: $SYNOD_CERT).")
    java.nio.file.Path cert;

    @Option(names = "--key", paramLabel = "FILE", defaultValue = "${env:SYNOD_KEY}",
            description = "The client certificate's key (PKCS#8 PEM) (default: $SYNOD_KEY).")
    java.nio.file.Path key;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:SYNOD_TOKEN}",
            description = "The bearer token every request carries (default: $SYNOD_TOKEN).")
    String token;

    @Override
    public Integer call() throws InterruptedException {
        LoadSpec load = loadSpec();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LoadReport report = LoadGenerator.run(load, err);
        out.print(json ? report.json() + System.lineSeparator() : report.text());
        out.flush();
        if (report.allFailed()) {
            err.println("synod: bench: no request succeeded (" + report.errorCount() + " failed)");
            return 1;
        }
        return 0;
    }

    /** The flags as a {@link LoadSpec}; a bad one is a {@link CommandLine.ParameterException} (exit 2). */
    LoadSpec loadSpec() {
        try {
            List<URI> urls = new ArrayList<>();
            for (String endpoint : endpoints) {
                try {
                    urls.add(new URI(endpoint.strip()));
                } catch (URISyntaxException bad) {
                    throw new IllegalArgumentException("--endpoints: '" + endpoint
                            + "' is not of the form http://HOST:PORT or https://HOST:PORT");
                }
            }
            return new LoadSpec(urls, clients, threads, seconds("--duration", durationSeconds),
                    seconds("--warmup", warmupSeconds), valueSize, readRatio, LoadSpec.Consistency.parse(consistency),
                    keys, spread, preload != null ? preload : readRatio > 0, seconds("--timeout", timeoutSeconds),
                    new Access(ca, cert, key, token == null || token.isEmpty() ? null : token));
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.ParameterException(spec.commandLine(), bad.getMessage());
        }
    }

    private static Duration seconds(String flag, double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0 || seconds > 1e6) {
            throw new IllegalArgumentException(flag + " must be from 0 to 1000000 seconds, not " + seconds);
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
