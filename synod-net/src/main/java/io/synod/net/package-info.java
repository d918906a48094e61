/**
 * The peer transport of Synod: carries protocol messages between nodes over TCP.
 *
 * <p>Public API: {@link io.synod.net.NettyTransport} (the {@link io.synod.replica.Transport} the server uses),
 * {@link io.synod.net.TransportConfig}, {@link io.synod.net.ClusterSecret} (the {@code --cluster-secret-file} key),
 * {@link io.synod.net.TransportListener} (metrics hooks) and
 * {@link io.synod.net.MessageCodec} (core messages to and from the protobuf schema in {@code peer.proto}, generated
 * into {@code io.synod.net.proto}). Everything else here is internal to the transport.
 *
 * <p>Wire format: a 4-byte big-endian length, then one serialized {@code Frame}. The first frame each way is a
 * {@code Hello} (inside TLS when it is configured; with a cluster secret the dialer's {@code HelloProof} ends the
 * exchange); see {@link io.synod.net.NettyTransport} for the handshake and connection rules, and
 * {@code docs/protocol.md} for why the secret's challenge and response resist replay. Certificates:
 * {@link io.synod.net.tls}.
 */
package io.synod.net;
