package io.synod.dist;

import io.synod.net.tls.CertificateMaker;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synod certs DIR --nodes N [--hosts H1,H2,...]}: a CA, a certificate per node and a client certificate in
 * DIR ({@link CertificateMaker#writeCluster}), then the flags that use them. Never overwrites: if any of the files is
 * there already it writes nothing (one line, exit 1).
 */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = {"Makes a CA, a certificate per node (named for localhost, 127.0.0.1, ::1 and --hosts) and a "
                + "client certificate in DIR, for --tls-cert/--tls-key/--tls-ca and the clients' --ca/--cert/--key.",
            "Exit 0: written; 1: a file exists already or cannot be written (nothing is overwritten); 2: usage error."})
final class CertsCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Where the files go (created if missing).")
    Path dir;

    @Option(names = "--nodes", paramLabel = "N", required = true,
            description = "How many node certificates: node-1.crt .. node-N.crt, with their keys.")
    int nodes;

    @Option(names = "--hosts", paramLabel = "H1,H2,...", split = ",",
            description = "More names (DNS names or IP addresses) every node certificate carries.")
    List<String> hosts = new ArrayList<>();

    @Override
    public Integer call() {
        if (nodes < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--nodes must be at least 1");
        }
        for (String host : hosts) {
            if (host.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--hosts: an empty host name");
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        for (Path file : files(dir, nodes)) {
            if (Files.exists(file)) {
                err.println("synod: certs: " + file + " exists already; nothing was written");
                return 1;
            }
        }
        List<Path> written;
        try {
            written = CertificateMaker.writeCluster(dir, nodes, hosts.stream().map(String::strip).toList());
        } catch (UncheckedIOException failed) {
            err.println("synod: certs: cannot write to " + dir + ": " + failed.getCause().getMessage());
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote:");
        written.forEach(file -> out.println("  " + file));
        out.println();
        out.println("Start the k-th node (k from 1) with:");
        out.println("  --tls-cert " + dir.resolve("node-<k>.crt") + " --tls-key " + dir.resolve("node-<k>.key")
                + " --tls-ca " + dir.resolve("ca.crt"));
        out.println("Clients (bin/synod put/get/status/..., bench):");
        out.println("  export SYNOD_CA=" + dir.resolve("ca.crt"));
        out.println("  export SYNOD_CERT=" + dir.resolve("client.crt") + " SYNOD_KEY=" + dir.resolve("client.key")
                + "   # only where a client certificate is wanted");
        out.println("Keep " + dir.resolve("ca.key") + " away from the nodes: it signs new certificates.");
        return 0;
    }

    /** The files {@link CertificateMaker#writeCluster} writes for {@code nodes} nodes, in its order. */
    static List<Path> files(Path dir, int nodes) {
        List<Path> files = new ArrayList<>(List.of(dir.resolve("ca.crt"), dir.resolve("ca.key")));
        for (int node = 1; node <= nodes; node++) {
            files.add(dir.resolve("node-" + node + ".crt"));
            files.add(dir.resolve("node-" + node + ".key"));
        }
        files.add(dir.resolve("client.crt"));
        files.add(dir.resolve("client.key"));
        return files;
    }
}
