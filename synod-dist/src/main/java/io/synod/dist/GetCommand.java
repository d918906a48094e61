package io.synod.dist;

import io.synod.client.Consistency;
import io.synod.client.KeyValue;
import io.synod.client.ReadOptions;
import io.synod.client.SynodClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code synod get KEY}: reads through the Java client and prints the value exactly as stored (no newline added), or
 * with {@code --json} the key, value, version and slot. Exit 1 if the key does not exist.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Prints KEY's value exactly as stored (no newline added).",
            "Exit 0: found; 1: no such key, or no node could answer; 2: usage error."})
final class GetCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Option(names = "--consistency", paramLabel = "LEVEL", defaultValue = "linearizable",
            description = "linearizable (default), quorum or stale.")
    Consistency consistency;

    @Option(names = "--min-slot", paramLabel = "N",
            description = "First wait until the answering node has applied slot N (read your writes).")
    Long minSlot;

    @Override
    public Integer call() {
        ReadOptions options = ReadOptions.defaults().consistency(consistency);
        if (minSlot != null) {
            if (minSlot < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--min-slot must be 0 or more");
            }
            options = options.minSlot(minSlot);
        }
        Optional<KeyValue> found;
        try (SynodClient synod = client.open(spec.commandLine())) {
            found = synod.get(key, options);
        }
        if (found.isEmpty()) {
            spec.commandLine().getErr().println("synod: no such key: " + key);
            return 1;
        }
        KeyValue entry = found.get();
        if (client.json) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("key", entry.key());
            ListCommand.putValue(body, entry.value());
            body.put("version", entry.version());
            body.put("slot", entry.slot());
            spec.commandLine().getOut().println(ClientOptions.json(body));
            return 0;
        }
        spec.commandLine().getOut().flush();
        try {
            main.stdout().write(entry.value());
            main.stdout().flush();
        } catch (IOException closed) {
            throw new UncheckedIOException("cannot write the value: " + closed.getMessage(), closed);
        }
        return 0;
    }
}
