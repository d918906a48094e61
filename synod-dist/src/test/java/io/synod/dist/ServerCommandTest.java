package io.synod.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.core.election.Elections;
import io.synod.net.tls.CertificateMaker;
import io.synod.net.tls.TlsFiles;
import io.synod.replica.SnapshotPolicy;
import io.synod.server.ServerConfig;
import picocli.CommandLine;
import io.synod.core.Ballot;
import io.synod.storage.DataDir;
import io.synod.storage.Wal;
import io.synod.storage.WalFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A node that must not start says why in one line and exits non-zero: a corrupt log, a data dir of another node. */
class ServerCommandTest {
    @TempDir
    Path dataDir;

    @TempDir
    Path files;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int server(int id) throws Exception {
        int peerPort;
        int httpPort;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            peerPort = a.getLocalPort();
            httpPort = b.getLocalPort();
        }
        return Main.run(new String[] {"server", "--id", Integer.toString(id), "--peers",
            id + "=127.0.0.1:" + peerPort, "--http", "127.0.0.1:" + httpPort, "--data-dir", dataDir.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void aCorruptRecordFollowedByGoodOnesStopsTheNodeNamingFileAndOffset() throws Exception {
        try (DataDir identity = DataDir.open(dataDir, "synod", 0);
                Wal wal = Wal.open(identity.disk(), Wal.Options.defaults(), r -> { }, l -> { })) {
            List<Durable> records = new ArrayList<>();
            for (long slot = 0; slot < 3; slot++) {
                records.add(new Durable.Accepted(slot, new Ballot(1, 0),
                        Value.of(new Command(0, slot, ("value " + slot).getBytes()))));
            }
            wal.append(records);
            wal.syncPoint().run();
        }
        Path segment = dataDir.resolve(WalFormat.segmentName(1));
        long offset = WalFormat.SEGMENT_HEADER_BYTES + 40; // inside the first record's payload
        try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            file.read(one, offset);
            file.write(ByteBuffer.wrap(new byte[] {(byte) (one.get(0) ^ 0x55)}), offset);
        }
        assertThat(server(0)).isEqualTo(1);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .contains(WalFormat.segmentName(1))
                .contains("byte offset " + WalFormat.SEGMENT_HEADER_BYTES)
                .contains("followed by good records");
    }

    @Test
    void aDataDirOfAnotherNodeIsRefused() throws Exception {
        DataDir.open(dataDir, "synod", 4).close();
        assertThat(server(0)).isEqualTo(1);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .contains("belongs to node 4");
    }

    @Test
    void anElectionThisBuildDoesNotHaveIsAUsageErrorListingTheAvailableOnes() {
        int exit = Main.run(new String[] {"server", "--id", "0", "--peers", "0=127.0.0.1:1", "--http",
            "127.0.0.1:2", "--data-dir", dataDir.toString(), "--election", "raft"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .contains("--election raft is not available").contains(String.join(", ", Elections.AVAILABLE));
    }

    /** A lease too short, or a drift that leaves the lease no margin, is refused at start in one line. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"--lease-ms 49|--lease-ms must be at least 50",
        "--max-drift-ms -1|--max-drift-ms must be from 0", "--lease-ms 1000 --max-drift-ms 251|not 251",
        "--lease-ms 100 --max-drift-ms 30|not 30"})
    void aBadLeaseOrDriftIsAUsageError(String flags, String message) {
        List<String> args = new ArrayList<>(List.of("server", "--id", "0", "--peers", "0=127.0.0.1:1", "--http",
                "127.0.0.1:2", "--data-dir", dataDir.toString()));
        args.addAll(List.of(flags.split(" ")));
        int exit = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip().lines()).singleElement().asString().contains(message);
    }

    /** Every election of this build, a lease, its drift and --no-forward reach the node's config. */
    @Test
    void theElectionFlagsReachTheConfig() {
        for (String election : Elections.AVAILABLE) {
            ServerCommand command = new ServerCommand();
            new CommandLine(command).parseArgs("--id", "0", "--peers", "0=127.0.0.1:1", "--http", "127.0.0.1:2",
                    "--data-dir", dataDir.toString(), "--election", election, "--lease-ms", "400",
                    "--max-drift-ms", "100", "--no-forward");
            ServerConfig config = command.config();
            assertThat(config.election()).isEqualTo(election);
            assertThat(config.leaseMs()).isEqualTo(400);
            assertThat(config.maxDriftMs()).isEqualTo(100);
            assertThat(config.forward()).isFalse();
        }
        ServerCommand defaults = new ServerCommand();
        new CommandLine(defaults).parseArgs("--id", "0", "--peers", "0=127.0.0.1:1", "--http", "127.0.0.1:2",
                "--data-dir", dataDir.toString());
        ServerConfig config = defaults.config();
        assertThat(config.election()).isEqualTo("paxoslease");
        assertThat(config.leaseMs()).isEqualTo(2_000);
        assertThat(config.maxDriftMs()).isEqualTo(100);
        assertThat(config.forward()).isTrue();
    }

    private int serverWith(String... flags) throws Exception {
        int peerPort;
        int httpPort;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            peerPort = a.getLocalPort();
            httpPort = b.getLocalPort();
        }
        List<String> args = new ArrayList<>(List.of("server", "--id", "0", "--peers", "0=127.0.0.1:" + peerPort,
                "--http", "127.0.0.1:" + httpPort, "--data-dir", dataDir.toString()));
        args.addAll(List.of(flags));
        return Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** Some but not all of the three --tls-* flags is a usage error that names the missing ones. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"--tls-cert|missing: --tls-key, --tls-ca",
        "--tls-key|missing: --tls-cert, --tls-ca", "--tls-cert --tls-ca|missing: --tls-key"})
    void someOfTheTlsFlagsAreAUsageError(String flags, String message) throws Exception {
        CertificateMaker.writeCluster(files, 1, List.of());
        List<String> args = new ArrayList<>();
        for (String flag : flags.split(" ")) {
            args.add(flag);
            args.add(files.resolve("node-1.crt").toString());
        }
        assertThat(serverWith(args.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .contains("--tls-cert, --tls-key and --tls-ca go together; " + message);
        assertThat(out.toString()).isEmpty();
    }

    /** A TLS file or secret file that cannot be read is a usage error naming it. */
    @Test
    void anUnreadableTlsOrSecretFileIsAUsageErrorNamingIt() throws Exception {
        CertificateMaker.writeCluster(files, 1, List.of());
        Path missing = files.resolve("missing.key");
        assertThat(serverWith("--tls-cert", files.resolve("node-1.crt").toString(), "--tls-key", missing.toString(),
                "--tls-ca", files.resolve("ca.crt").toString())).isEqualTo(2);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .contains("cannot read TLS file " + missing);
        err.getBuffer().setLength(0);
        assertThat(serverWith("--cluster-secret-file", files.resolve("no-secret").toString())).isEqualTo(2);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .contains("cannot read --cluster-secret-file " + files.resolve("no-secret"));
    }

    /** The four security flags reach the node's config; without them the node has no TLS and no secret. */
    @Test
    void theSecurityFlagsReachTheConfig() throws Exception {
        CertificateMaker.writeCluster(files, 1, List.of());
        Path secret = Files.writeString(files.resolve("secret"), "a secret of enough bytes\n");
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs("--id", "0", "--peers", "0=127.0.0.1:1", "--http", "127.0.0.1:2",
                "--data-dir", dataDir.toString(), "--tls-cert", files.resolve("node-1.crt").toString(),
                "--tls-key", files.resolve("node-1.key").toString(), "--tls-ca", files.resolve("ca.crt").toString(),
                "--cluster-secret-file", secret.toString());
        ServerConfig.Security security = command.config().security();
        assertThat(security.tls()).isEqualTo(new TlsFiles(files.resolve("node-1.crt"), files.resolve("node-1.key"),
                files.resolve("ca.crt")));
        assertThat(security.clusterSecretFile()).isEqualTo(secret);
        assertThat(security.authTokensFile()).isNull();
        ServerCommand plain = new ServerCommand();
        new CommandLine(plain).parseArgs("--id", "0", "--peers", "0=127.0.0.1:1", "--http", "127.0.0.1:2",
                "--data-dir", dataDir.toString());
        assertThat(plain.config().security()).isEqualTo(ServerConfig.Security.NONE);
    }

    /** A secret file with too few bytes stops the start (exit 1) in one line naming the file, never the secret. */
    @Test
    void aShortSecretStopsTheStartNamingTheFile() throws Exception {
        Path secret = Files.writeString(files.resolve("secret"), "tiny5\n");
        assertThat(serverWith("--cluster-secret-file", secret.toString())).isEqualTo(1);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .contains("--cluster-secret-file " + secret + " holds 5 bytes; at least 16 are needed")
                .doesNotContain("tiny5");
    }

    /** TLS files that are not PEM stop the start (exit 1) in one line naming them; the data dir is released. */
    @Test
    void badTlsMaterialStopsTheStartNamingTheFiles() throws Exception {
        CertificateMaker.writeCluster(files, 1, List.of());
        Path garbage = Files.writeString(files.resolve("garbage.crt"), "not a certificate");
        assertThat(serverWith("--tls-cert", garbage.toString(), "--tls-key", files.resolve("node-1.key").toString(),
                "--tls-ca", files.resolve("ca.crt").toString())).isEqualTo(1);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .contains("cannot load TLS material").contains(garbage.toString());
        DataDir.open(dataDir, "synod", 0).close(); // the failed start let go of the data dir's lock
    }

    /** The snapshot policy's flags reach the node's config; their defaults are the documented ones. */
    @Test
    void theSnapshotFlagsReachTheConfig() {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).parseArgs("--id", "0", "--peers", "0=127.0.0.1:1", "--http", "127.0.0.1:2",
                "--data-dir", dataDir.toString(), "--snapshot-log-ratio", "0.5", "--snapshot-min-log", "2m",
                "--snapshot-every", "700");
        assertThat(command.config().snapshots()).isEqualTo(new SnapshotPolicy(0.5, 2L << 20, 700));
        ServerCommand defaults = new ServerCommand();
        new CommandLine(defaults).parseArgs("--id", "0", "--peers", "0=127.0.0.1:1", "--http", "127.0.0.1:2",
                "--data-dir", dataDir.toString());
        assertThat(defaults.config().snapshots()).isEqualTo(ServerConfig.SNAPSHOTS_DEFAULT)
                .isEqualTo(new SnapshotPolicy(1.0, 16L << 20, 100_000));
    }

    /** A malformed size or ratio, or a --heap the JVM was not started with, is refused in one line, exit 2. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"--snapshot-log-ratio -1|--snapshot-log-ratio must be a number >= 0",
        "--snapshot-min-log 12x|--snapshot-min-log must be a size like 16m, not '12x'",
        "--heap lots|--heap must be a size like 512m or 2g", "--heap 1k|--heap must be a size like 512m or 2g",
        "--heap 7g|--heap 7g needs the JVM started with -Xmx7g"})
    void aBadSnapshotOrHeapFlagIsAUsageError(String flags, String message) {
        List<String> args = new ArrayList<>(List.of("server", "--id", "0", "--peers", "0=127.0.0.1:1", "--http",
                "127.0.0.1:2", "--data-dir", dataDir.toString()));
        args.addAll(List.of(flags.split(" ")));
        int exit = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip().lines()).singleElement().asString().contains(message);
    }
}
