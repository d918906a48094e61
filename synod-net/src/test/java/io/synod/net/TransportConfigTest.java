package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.net.tls.CertificateMaker;
import io.synod.net.tls.TlsFiles;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proves the peer list parses as the CLI writes it and that out-of-range settings are refused by name. */
class TransportConfigTest {
    @Test
    void parsesThePeerList() {
        Map<Integer, InetSocketAddress> peers = TransportConfig.parsePeers("1=10.0.0.1:7001, 2=node-b:7002,3=[::1]:7003");

        assertThat(peers).hasSize(3);
        assertThat(peers.get(1).getHostString()).isEqualTo("10.0.0.1");
        assertThat(peers.get(1).getPort()).isEqualTo(7001);
        assertThat(peers.get(2).getHostString()).isEqualTo("node-b");
        assertThat(peers.get(3).getHostString()).isEqualTo("::1");
        assertThat(peers.get(3).getPort()).isEqualTo(7003);
    }

    @Test
    void refusesMalformedPeerLists() {
        for (String bad : new String[] {"1=host", "x=host:1", "=host:1", "1=host:0", "1=host:99999", "1=a:1,1=b:2"}) {
            assertThatThrownBy(() -> TransportConfig.parsePeers(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void refusesOutOfRangeSettings() {
        Map<Integer, InetSocketAddress> peers = TransportConfig.parsePeers("1=127.0.0.1:7001,2=127.0.0.1:7002");

        assertThatThrownBy(() -> TransportConfig.builder(3, "c", peers).build())
                .hasMessageContaining("own address");
        assertThatThrownBy(() -> TransportConfig.builder(1, "", peers).build())
                .hasMessageContaining("clusterId");
        assertThatThrownBy(() -> TransportConfig.builder(1, "c", peers).maxQueuedMessages(0).build())
                .hasMessageContaining("maxQueuedMessages");
        assertThatThrownBy(() -> TransportConfig.builder(1, "c", peers).reconnectBackoff(100, 10).build())
                .hasMessageContaining("backoff");
        assertThatThrownBy(() -> TransportConfig.builder(1, "c", peers).keepAlive(1000, 1000).build())
                .hasMessageContaining("idleTimeoutMs");

        TransportConfig defaults = TransportConfig.builder(1, "c", peers).build();
        assertThat(defaults.maxFrameBytes()).isEqualTo(64 << 20);
        assertThat(defaults.maxQueuedMessages()).isEqualTo(10_000);
        assertThat(defaults.listenAddress().getPort()).isEqualTo(7001);
        assertThat(defaults.tls()).isNull();
        assertThat(defaults.clusterSecret()).isNull();
    }

    /** Proves: TLS files and the cluster secret given to the builder are the configuration's. */
    @Test
    void carriesTlsAndTheSecret(@TempDir Path dir) {
        CertificateMaker.writeCluster(dir, 1, List.of());
        TlsFiles files = new TlsFiles(dir.resolve("node-1.crt"), dir.resolve("node-1.key"), dir.resolve("ca.crt"));
        ClusterSecret secret = ClusterSecret.of(new byte[ClusterSecret.MIN_BYTES]);
        TransportConfig config = TransportConfig.builder(1, "c", TransportConfig.parsePeers("1=127.0.0.1:7001"))
                .tls(files).clusterSecret(secret).build();
        assertThat(config.tls()).isEqualTo(files);
        assertThat(config.clusterSecret()).isSameAs(secret);
    }
}
