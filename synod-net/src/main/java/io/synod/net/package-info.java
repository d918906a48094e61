/**
 * The peer transport of Synod: carries protocol messages between nodes over TCP.
 *
 * <p>Public API: {@link io.synod.net.NettyTransport} (the {@link io.synod.replica.Transport} the server uses),
 * {@link io.synod.net.TransportConfig}, {@link io.synod.net.TransportListener} (metrics hooks) and
 * {@link io.synod.net.MessageCodec} (core messages to and from the protobuf schema in {@code peer.proto}, generated
 * into {@code io.synod.net.proto}). Everything else here is internal to the transport.
 *
 * <p>Wire format: a 4-byte big-endian length, then one serialized {@code Frame}. The first frame each way is a
 * {@code Hello}; see {@link io.synod.net.NettyTransport} for the handshake and connection rules.
 */
package io.synod.net;
