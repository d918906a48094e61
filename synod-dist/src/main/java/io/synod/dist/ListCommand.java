package io.synod.dist;

import io.synod.client.Consistency;
import io.synod.client.KeyValue;
import io.synod.client.ListResult;
import io.synod.client.ReadOptions;
import io.synod.client.SynodClient;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synod list PREFIX}: the keys under a prefix, one line each ({@code KEY<tab>VERSION<tab>VALUE}), or with
 * {@code --json} the server's {@code {"items":[...],"slot":N}}.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Lists the keys starting with PREFIX (\"\" for all), in key order: KEY<tab>VERSION<tab>VALUE.",
            "Exit 0: listed (maybe nothing); 1: no node could answer; 2: usage error."})
final class ListCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "PREFIX", description = "The prefix.")
    String prefix;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "1000",
            description = "At most N keys, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--consistency", paramLabel = "LEVEL", defaultValue = "linearizable",
            description = "linearizable (default), quorum or stale.")
    Consistency consistency;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 10_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 1 to 10000");
        }
        ListResult result;
        try (SynodClient synod = client.open(spec.commandLine())) {
            result = synod.list(prefix, limit, ReadOptions.defaults().consistency(consistency));
        }
        if (client.json) {
            List<Map<String, Object>> items = new ArrayList<>();
            for (KeyValue item : result.items()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("key", item.key());
                putValue(one, item.value());
                one.put("version", item.version());
                items.add(one);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("items", items);
            body.put("slot", result.slot());
            spec.commandLine().getOut().println(ClientOptions.json(body));
            return 0;
        }
        for (KeyValue item : result.items()) {
            spec.commandLine().getOut().println(item.key() + "\t" + item.version() + "\t" + item.valueAsString());
        }
        return 0;
    }

    /** Puts a value as the server does: UTF-8 text under {@code value}, other bytes as base64 under {@code valueBase64}. */
    static void putValue(Map<String, Object> json, byte[] value) {
        try {
            json.put("value", StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString());
        } catch (CharacterCodingException notUtf8) {
            json.put("valueBase64", Base64.getEncoder().encodeToString(value));
        }
    }
}
