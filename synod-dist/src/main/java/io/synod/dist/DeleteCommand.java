package io.synod.dist;

import io.synod.client.DeleteOptions;
import io.synod.client.DeleteResult;
import io.synod.client.SynodClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synod delete KEY}: deletes through the Java client. Deleting a key that does not exist succeeds (and says
 * so); exit 1 if the condition failed, the outcome is unknown or the cluster refused.
 */
@Command(name = "delete", mixinStandardHelpOptions = true,
        description = {"Deletes KEY.",
            "Exit 0: deleted (or there was nothing to delete); 1: not deleted (condition failed, refused) or outcome "
                + "unknown; 2: usage error."})
final class DeleteCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "KEY", description = "The key.")
    String key;

    @Option(names = "--if-version", paramLabel = "V", description = "Only if the key's version is V (If-Match).")
    Long ifVersion;

    @Option(names = "--idempotency-key", paramLabel = "K",
            description = "The delete's Idempotency-Key (default: a random one): the same K again is applied once.")
    String idempotencyKey;

    @Override
    public Integer call() {
        DeleteOptions options = DeleteOptions.none();
        try {
            if (ifVersion != null) {
                options = options.ifVersion(ifVersion);
            }
            if (idempotencyKey != null) {
                options = options.idempotencyKey(idempotencyKey);
            }
        } catch (IllegalArgumentException bad) {
            throw new CommandLine.ParameterException(spec.commandLine(), bad.getMessage());
        }
        try (SynodClient synod = client.open(spec.commandLine())) {
            DeleteResult result = synod.delete(key, options);
            if (client.json) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("slot", result.slot());
                body.put("version", result.version());
                body.put("deleted", result.deleted());
                spec.commandLine().getOut().println(ClientOptions.json(body));
            } else {
                spec.commandLine().getOut().println((result.deleted() ? "deleted" : "nothing to delete")
                        + ": version " + result.version() + ", slot " + result.slot());
            }
        }
        return 0;
    }
}
