package io.synod.dist;

import io.synod.client.LogEntry;
import io.synod.client.SynodClient;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code synod log SLOT}: what a log slot holds, as the master knows it. Exit 1 if it is not chosen yet or compacted. */
@Command(name = "log", mixinStandardHelpOptions = true,
        description = {"Prints the command log slot SLOT holds (JSON); --json prints the whole answer.",
            "Exit 0: printed; 1: not chosen yet, compacted, or no node could answer; 2: usage error."})
final class LogCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "SLOT", description = "The slot, from 0.")
    long slot;

    @Override
    public Integer call() {
        if (slot < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "SLOT must be 0 or more");
        }
        Optional<LogEntry> entry;
        try (SynodClient synod = client.open(spec.commandLine())) {
            entry = synod.log(slot);
        }
        if (entry.isEmpty()) {
            spec.commandLine().getErr().println("synod: slot " + slot + " is not chosen yet");
            return 1;
        }
        spec.commandLine().getOut().println(client.json ? entry.get().json() : entry.get().command());
        return 0;
    }
}
