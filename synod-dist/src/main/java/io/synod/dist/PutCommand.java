package io.synod.dist;

import io.synod.client.PutOptions;
import io.synod.client.SynodClient;
import io.synod.client.WriteResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code synod put KEY VALUE}: writes through the Java client (to the master, retried with one idempotency key).
 * Prints the new version and slot; exit 1 if the condition failed, the outcome is unknown or the cluster refused.
 */
@Command(name = "put", mixinStandardHelpOptions = true,
        description = {"Sets KEY to VALUE (- reads the value from stdin).",
            "Exit 0: written; 1: not written (condition failed, refused) or outcome unknown (it may still be "
                + "applied: retry with the same --idempotency-key); 2: usage error."})
final class PutCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Parameters(index = "1", paramLabel = "VALUE", description = "The value, or - to read it from stdin.")
    String value;

    @Option(names = "--if-version", paramLabel = "V", description = "Only if the key's version is V (If-Match).")
    Long ifVersion;

    @Option(names = "--create-only", description = "Only if the key does not exist (If-None-Match: *).")
    boolean createOnly;

    @Option(names = "--idempotency-key", paramLabel = "K",
            description = "The write's Idempotency-Key (default: a random one): the same K again is applied once.")
    String idempotencyKey;

    @Override
    public Integer call() {
        if (ifVersion != null && createOnly) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--if-version and --create-only cannot be combined");
        }
        PutOptions options = PutOptions.none();
        try {
            if (ifVersion != null) {
                options = options.ifVersion(ifVersion);
            }
            if (createOnly) {
                options = options.createOnly();
            }
            if (idempotencyKey != null) {
                options = options.idempotencyKey(idempotencyKey);
            }
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.ParameterException(spec.commandLine(), bad.getMessage());
        }
        byte[] bytes = value.equals("-") ? stdin() : value.getBytes(StandardCharsets.UTF_8);
        try (SynodClient synod = client.open(spec.commandLine())) {
            WriteResult written = synod.put(key, bytes, options);
            if (client.json) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("slot", written.slot());
                body.put("version", written.version());
                spec.commandLine().getOut().println(ClientOptions.json(body));
            } else {
                spec.commandLine().getOut().println("written: version " + written.version() + ", slot "
                        + written.slot());
            }
        }
        return 0;
    }

    private byte[] stdin() {
        try {
            return main.stdin().readAllBytes();
        } catch (IOException unreadable) {
            throw new UncheckedIOException("cannot read the value from stdin: " + unreadable.getMessage(), unreadable);
        }
    }
}
