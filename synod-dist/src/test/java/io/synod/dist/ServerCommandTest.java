package io.synod.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.core.Ballot;
import io.synod.storage.DataDir;
import io.synod.storage.Wal;
import io.synod.storage.WalFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
    void anElectionThatIsNotBuiltYetIsAUsageError() {
        int exit = Main.run(new String[] {"server", "--id", "0", "--peers", "0=127.0.0.1:1", "--http",
            "127.0.0.1:2", "--data-dir", dataDir.toString(), "--election", "paxoslease"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("not available in this build yet");
    }

    /** A flag the parser knows but this build does not implement is refused, never silently ignored. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"--no-forward|", "--lease-ms|3000", "--max-drift-ms|500",
        "--tls-cert|cert.pem", "--tls-key|key.pem", "--tls-ca|ca.pem", "--cluster-secret-file|secret"})
    void aFlagThatIsNotBuiltYetIsAUsageErrorNamingIt(String flag, String value) {
        List<String> args = new ArrayList<>(List.of("server", "--id", "0", "--peers", "0=127.0.0.1:1", "--http",
                "127.0.0.1:2", "--data-dir", dataDir.toString(), flag));
        if (value != null) {
            args.add(value);
        }
        int exit = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .contains(flag + " is not available in this build yet");
        assertThat(out.toString()).isEmpty();
    }
}
