package io.synod.dist;

import com.fasterxml.jackson.databind.JsonNode;
import io.synod.client.NodeStatus;
import io.synod.client.SynodClient;
import io.synod.client.SynodException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code synod status}: asks every endpoint's {@code /v1/status} at once (one attempt each) and prints a table, one row
 * per endpoint; an endpoint that did not answer is a row saying so. Exit 0 if at least one answered.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Asks every endpoint for its status and prints one row each: node id, URL, role, the master "
                + "it knows, lease left (ms), applied slot, reachable.",
            "Exit 0: at least one endpoint answered; 1: none did; 2: usage error."})
final class StatusCommand implements Callable<Integer> {
    private static final String ROW = "%-5s %-24s %-10s %-7s %-10s %-8s %s%n";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    /** One endpoint's answer, or why it gave none. */
    private record Row(URI url, NodeStatus status, String error) {}

    @Override
    public Integer call() {
        List<Row> rows = new ArrayList<>();
        try (SynodClient synod = client.open(spec.commandLine())) {
            List<CompletableFuture<Row>> asks = new ArrayList<>();
            for (URI endpoint : synod.endpoints()) {
                asks.add(synod.statusAsync(endpoint).handle((status, error) -> status != null
                        ? new Row(endpoint, status, null) : new Row(endpoint, null, reason(error))));
            }
            for (CompletableFuture<Row> ask : asks) {
                rows.add(ask.join());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (client.json) {
            out.println(ClientOptions.json(jsonRows(rows)));
        } else {
            out.printf(ROW, "NODE", "URL", "ROLE", "MASTER", "LEASE-MS", "APPLIED", "REACHABLE");
            for (Row row : rows) {
                NodeStatus status = row.status();
                if (status == null) {
                    out.printf(ROW, "-", row.url(), "-", "-", "-", "-", "no (" + row.error() + ")");
                } else {
                    out.printf(ROW, status.id(), row.url(), status.role(),
                            status.master().isPresent() ? Integer.toString(status.master().getAsInt()) : "none",
                            status.lease().remainingMs(), status.slots().applied(), "yes");
                }
            }
        }
        if (rows.stream().allMatch(row -> row.status() == null)) {
            spec.commandLine().getErr().println("synod: no endpoint answered (" + rows.get(0).url() + ": "
                    + rows.get(0).error() + ")");
            return 1;
        }
        return 0;
    }

    private static List<Map<String, Object>> jsonRows(List<Row> rows) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("url", row.url().toString());
            one.put("reachable", row.status() != null);
            if (row.status() != null) {
                try {
                    JsonNode status = ClientOptions.JSON.readTree(row.status().json());
                    one.put("status", status);
                } catch (IOException impossible) {
                    throw new IllegalStateException("the client parsed this status already", impossible);
                }
            } else {
                one.put("error", row.error());
            }
            json.add(one);
        }
        return json;
    }

    /** Why an endpoint gave no status, in a few words: {@code cannot connect}, {@code TIMEOUT}, {@code 503 NO_QUORUM}. */
    private static String reason(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof SynodException failure)) {
            return String.valueOf(cause);
        }
        return switch (failure.code()) {
            case "CONNECTION_FAILED" -> "cannot connect";
            case "TIMEOUT" -> "no answer in time";
            case "TLS_FAILED" -> failure.getMessage();
            default -> failure.status() + " " + failure.code();
        };
    }
}
