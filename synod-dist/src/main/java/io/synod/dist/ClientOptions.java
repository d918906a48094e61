package io.synod.dist;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.client.SynodClient;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What every client command ({@code put}, {@code get}, {@code delete}, {@code list}, {@code status}, {@code log})
 * shares: the endpoints to talk to ({@code --endpoints}, else {@code $SYNOD_ENDPOINTS}, else the demo's three nodes,
 * {@code https://} when a CA is given), {@code --json}, how long a command keeps retrying, and security: the CA to
 * trust ({@code --ca}), a client certificate ({@code --cert} with {@code --key}) and a token ({@code --token}), each
 * falling back to its environment variable ({@code SYNOD_CA}, {@code SYNOD_CERT}, {@code SYNOD_KEY},
 * {@code SYNOD_TOKEN}); a flag wins over its variable. A picocli mixin.
 */
final class ClientOptions {
    /** The endpoints of {@code synod demo} with its default base port (7101). */
    static final String DEMO_ENDPOINTS = "http://127.0.0.1:7101,http://127.0.0.1:7102,http://127.0.0.1:7103";
    /** The same over HTTPS ({@code synod demo --secure}): the default when a CA is given. */
    static final String DEMO_HTTPS_ENDPOINTS = DEMO_ENDPOINTS.replace("http://", "https://");
    static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--endpoints", paramLabel = "URL,URL,...", defaultValue = "${env:SYNOD_ENDPOINTS}",
            description = "The nodes' HTTP URLs (default: $SYNOD_ENDPOINTS, else the demo's: " + DEMO_ENDPOINTS
                    + ", https:// with --ca).")
    String endpoints;

    @Option(names = "--json", description = "Print the answer as JSON, in the server's shape.")
    boolean json;

    @Option(names = "--budget-ms", paramLabel = "MS", defaultValue = "10000",
            description = "How long the command keeps retrying while no node can do it (default: ${DEFAULT-VALUE}).")
    long budgetMs;

    @Option(names = "--ca", paramLabel = "FILE", defaultValue = "${env:SYNOD_CA}",
            description = "Trust only the CA certificates in FILE (PEM) for https:// endpoints (default: $SYNOD_CA).")
    Path ca;

    @Option(names = "--cert", paramLabel = "FILE", defaultValue = "${env:SYNOD_CERT}",
            description = "Present this client certificate (PEM), with --key (default: $SYNOD_CERT).")
    Path certificate;

    @Option(names = "--key", paramLabel = "FILE", defaultValue = "${env:SYNOD_KEY}",
            description = "The client certificate's key (PEM, unencrypted PKCS#8), with --cert (default: $SYNOD_KEY).")
    Path key;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:SYNOD_TOKEN}",
            description = "Send Authorization: Bearer TOKEN with every request (default: $SYNOD_TOKEN).")
    String token;

    /**
     * A client for the endpoints; a usage error (exit 2) if they are not URLs, the budget is not positive, only one
     * of {@code --cert} and {@code --key} is given, a TLS file is unusable, or a CA or certificate is given for plain
     * {@code http://} endpoints only.
     */
    SynodClient open(CommandLine commandLine) {
        if (budgetMs < 1) {
            throw new CommandLine.ParameterException(commandLine, "--budget-ms must be at least 1");
        }
        if ((certificate == null) != (key == null)) {
            throw new CommandLine.ParameterException(commandLine, "--cert and --key go together (or SYNOD_CERT and "
                    + "SYNOD_KEY)");
        }
        String urls = endpoints != null ? endpoints : ca != null ? DEMO_HTTPS_ENDPOINTS : DEMO_ENDPOINTS;
        SynodClient.Builder builder;
        try {
            builder = SynodClient.builder().endpoints(urls).retryBudget(Duration.ofMillis(budgetMs));
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.ParameterException(commandLine, "--endpoints: " + bad.getMessage());
        }
        try {
            if (ca != null) {
                builder.trustCertificates(ca);
            }
            if (certificate != null) {
                builder.clientCertificate(certificate, key);
            }
            if (token != null && !token.isEmpty()) { // an empty SYNOD_TOKEN is no token
                builder.token(token);
            }
            return builder.build();
        } catch (IllegalArgumentException | IllegalStateException bad) {
            throw new CommandLine.ParameterException(commandLine, bad.getMessage());
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
