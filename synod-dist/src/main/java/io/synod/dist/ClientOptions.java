package io.synod.dist;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.client.SynodClient;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What every client command ({@code put}, {@code get}, {@code delete}, {@code list}, {@code status}, {@code log})
 * shares: the endpoints to talk to ({@code --endpoints}, else {@code $SYNOD_ENDPOINTS}, else the demo's three nodes),
 * {@code --json}, and how long a command keeps retrying. A picocli mixin.
 */
final class ClientOptions {
    /** The endpoints of {@code synod demo} with its default base port (7101). */
    static final String DEMO_ENDPOINTS = "http://127.0.0.1:7101,http://127.0.0.1:7102,http://127.0.0.1:7103";
    static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--endpoints", paramLabel = "URL,URL,...",
            defaultValue = "${env:SYNOD_ENDPOINTS:-" + DEMO_ENDPOINTS + "}",
            description = "The nodes' HTTP URLs (default: $SYNOD_ENDPOINTS, else the demo's: " + DEMO_ENDPOINTS + ").")
    String endpoints;

    @Option(names = "--json", description = "Print the answer as JSON, in the server's shape.")
    boolean json;

    @Option(names = "--budget-ms", paramLabel = "MS", defaultValue = "10000",
            description = "How long the command keeps retrying while no node can do it (default: ${DEFAULT-VALUE}).")
    long budgetMs;

    /** A client for the endpoints; a usage error (exit 2) if they are not URLs or the budget is not positive. */
    SynodClient open(CommandLine commandLine) {
        if (budgetMs < 1) {
            throw new CommandLine.ParameterException(commandLine, "--budget-ms must be at least 1");
        }
        try {
            return SynodClient.builder().endpoints(endpoints).retryBudget(Duration.ofMillis(budgetMs)).build();
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.ParameterException(commandLine, "--endpoints: " + bad.getMessage());
        }
    }

    /** {@code value} as one line of JSON. */
    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
