package io.synod.net;

import com.google.protobuf.ByteString;
import io.synod.net.proto.Frame;
import io.synod.net.proto.Hello;
import io.synod.net.proto.HelloProof;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.Function;

/**
 * The Hello exchange of one connection, as a small state machine without I/O: the connection handler feeds it the
 * frames that arrive before the connection is established and sends what it answers. One instance per connection,
 * used by one thread. docs/protocol.md ("The peer handshake") gives the protocol and why it resists replay.
 *
 * <ul>
 *   <li>Without a cluster secret: the dialer sends its Hello ({@link #dialerHello}); the acceptor checks it and
 *       answers with its own; the dialer checks that. Two frames.</li>
 *   <li>With a secret: the dialer's Hello carries a fresh nonce; the acceptor's answer carries its own fresh nonce
 *       and its proof, an HMAC over both Hellos and both nonces; the dialer checks the proof and ends with a
 *       {@link HelloProof}, its own HMAC over the same fields under another label, which the acceptor checks. Three
 *       frames. Each side counts the connection established only after it checked the other's proof.</li>
 * </ul>
 * A side with a secret refuses a peer without one and the other way round, so a misconfigured node is named in the
 * log instead of joining half-authenticated.
 *
 * <p>{@link #receive} never throws for anything the other side sends: every bad frame is a {@link Outcome.Refused}
 * with one sentence. It throws {@link IllegalStateException} only when called again after it returned
 * {@link Outcome.Established} or {@link Outcome.Refused} (a bug in the caller).
 */
final class Handshake {
    /** Bytes of each side's nonce when there is a secret. */
    static final int NONCE_BYTES = 32;
    private static final String DIAL_LABEL = "synod dial";
    private static final String ACCEPT_LABEL = "synod accept";
    private static final String COMPARE = "compare --cluster-secret-file on every node";

    /** What the connection handler does after a frame. */
    sealed interface Outcome {
        /** Send {@code reply} and wait for the next handshake frame. */
        record Reply(Frame reply) implements Outcome {}

        /**
         * The other side is {@code peerId} and proved what it had to: send {@code reply} if it is not null, then the
         * connection is established.
         */
        record Established(Frame reply, int peerId, String httpUrl) implements Outcome {}

        /** Close the connection; {@code reason} is one sentence for the log. */
        record Refused(String reason) implements Outcome {}
    }

    private enum State { AWAIT_HELLO, AWAIT_PROOF, OVER }

    private final TransportConfig config;
    private final boolean dialing;
    private final Function<Hello, String> check;
    /** This side's nonce: NONCE_BYTES fresh random bytes with a secret, else empty. */
    private final ByteString nonce;

    private State state = State.AWAIT_HELLO;
    /** The dialer's Hello (without proof): sent by this side when dialing, received when accepting. */
    private Hello dialerHello;
    /** The acceptor's Hello without its proof; set once this side sent (accepting) or received (dialing) it. */
    private Hello acceptorHello;

    /**
     * A handshake for one new connection.
     *
     * @param config this node's ids, URL and secret
     * @param dialing whether this node dialed the connection
     * @param check why the other side's Hello is refused (protocol version, cluster id, node id), or null to accept
     * @param random the source of the nonce (a {@link java.security.SecureRandom} in production); used only with a
     *     secret
     */
    Handshake(TransportConfig config, boolean dialing, Function<Hello, String> check, Random random) {
        this.config = config;
        this.dialing = dialing;
        this.check = check;
        if (config.clusterSecret() == null) {
            nonce = ByteString.EMPTY;
        } else {
            byte[] bytes = new byte[NONCE_BYTES];
            random.nextBytes(bytes);
            nonce = ByteString.copyFrom(bytes);
        }
        if (dialing) {
            dialerHello = ownHello();
        }
    }

    /** The dialer's first frame: its Hello, with its nonce when there is a secret. Only for a dialing handshake. */
    Frame dialerHello() {
        if (!dialing) {
            throw new IllegalStateException("the accepting side does not speak first");
        }
        return Frame.newBuilder().setHello(dialerHello).build();
    }

    /** What the frame is still waiting for, for the handshake-timeout log line. */
    String awaiting() {
        return state == State.AWAIT_PROOF ? "HelloProof" : "Hello";
    }

    /**
     * The node that dialed this accepting side and whose HelloProof is awaited (its Hello passed the checks), or -1.
     * If that node closes the connection now, it refused this node's proof.
     */
    int awaitedProver() {
        return state == State.AWAIT_PROOF ? dialerHello.getNodeId() : -1;
    }

    /**
     * Takes the next frame from the other side.
     *
     * @throws IllegalStateException if the handshake is already over
     */
    Outcome receive(Frame frame) {
        return switch (state) {
            case AWAIT_HELLO -> end(onHello(frame));
            case AWAIT_PROOF -> end(onProof(frame));
            case OVER -> throw new IllegalStateException("the handshake is over");
        };
    }

    private Outcome end(Outcome outcome) {
        if (!(outcome instanceof Outcome.Reply)) {
            state = State.OVER;
        }
        return outcome;
    }

    private Outcome onHello(Frame frame) {
        if (frame.getBodyCase() != Frame.BodyCase.HELLO) {
            return new Outcome.Refused("first frame is " + frame.getBodyCase() + ", not HELLO");
        }
        Hello hello = frame.getHello();
        String refusal = check.apply(hello);
        if (refusal != null) {
            return new Outcome.Refused(refusal);
        }
        int peer = hello.getNodeId();
        boolean peerHasSecret = !hello.getNonce().isEmpty() || !hello.getProof().isEmpty();
        if (config.clusterSecret() == null) {
            return peerHasSecret
                    ? new Outcome.Refused("node " + peer + " has a cluster secret and this node has none: " + COMPARE)
                    : new Outcome.Established(dialing ? null : Frame.newBuilder().setHello(ownHello()).build(), peer,
                            hello.getHttpUrl());
        }
        if (hello.getNonce().isEmpty()) {
            return new Outcome.Refused("node " + peer + " has no cluster secret and this node has one: " + COMPARE);
        }
        if (hello.getNonce().size() != NONCE_BYTES) {
            return new Outcome.Refused("node " + peer + " sent a nonce of " + hello.getNonce().size()
                    + " bytes, not " + NONCE_BYTES);
        }
        return dialing ? onAcceptorHello(hello) : onDialerHello(hello);
    }

    private Outcome onDialerHello(Hello hello) {
        if (!hello.getProof().isEmpty()) {
            return new Outcome.Refused("node " + hello.getNodeId() + " sent a proof before it saw this node's nonce");
        }
        dialerHello = hello;
        acceptorHello = ownHello();
        byte[] proof = config.clusterSecret().hmac(transcript(ACCEPT_LABEL));
        state = State.AWAIT_PROOF;
        return new Outcome.Reply(Frame.newBuilder()
                .setHello(acceptorHello.toBuilder().setProof(ByteString.copyFrom(proof)))
                .build());
    }

    private Outcome onAcceptorHello(Hello hello) {
        acceptorHello = hello.toBuilder().clearProof().build();
        if (!config.clusterSecret().verifies(transcript(ACCEPT_LABEL), hello.getProof().toByteArray())) {
            return new Outcome.Refused("node " + hello.getNodeId() + " did not prove the cluster secret: " + COMPARE);
        }
        byte[] proof = config.clusterSecret().hmac(transcript(DIAL_LABEL));
        return new Outcome.Established(
                Frame.newBuilder().setHelloProof(HelloProof.newBuilder().setProof(ByteString.copyFrom(proof))).build(),
                hello.getNodeId(), hello.getHttpUrl());
    }

    private Outcome onProof(Frame frame) {
        int peer = dialerHello.getNodeId();
        if (frame.getBodyCase() != Frame.BodyCase.HELLO_PROOF) {
            return new Outcome.Refused("node " + peer + " sent " + frame.getBodyCase() + " where its HelloProof belongs");
        }
        if (!config.clusterSecret().verifies(transcript(DIAL_LABEL), frame.getHelloProof().getProof().toByteArray())) {
            return new Outcome.Refused("node " + peer + " did not prove the cluster secret: " + COMPARE);
        }
        return new Outcome.Established(null, peer, dialerHello.getHttpUrl());
    }

    private Hello ownHello() {
        return Hello.newBuilder()
                .setProtocolVersion(Frames.PROTOCOL_VERSION)
                .setClusterId(config.clusterId())
                .setNodeId(config.nodeId())
                .setHttpUrl(config.httpUrl())
                .setNonce(nonce)
                .build();
    }

    /**
     * What a proof is the HMAC of: the label (which side proves), then every field of both Hellos but the proof, each
     * variable-length field prefixed by its length, so no two different handshakes encode the same bytes. Binding
     * both nonces makes the proof good for this one connection only; binding the ids, URLs and cluster id means a
     * proof cannot be moved to another pair of nodes or another advertised URL.
     */
    private byte[] transcript(String label) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            field(out, label.getBytes(StandardCharsets.UTF_8));
            for (Hello hello : new Hello[] {dialerHello, acceptorHello}) {
                out.writeInt(hello.getProtocolVersion());
                field(out, hello.getClusterIdBytes().toByteArray());
                out.writeInt(hello.getNodeId());
                field(out, hello.getHttpUrlBytes().toByteArray());
                field(out, hello.getNonce().toByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to memory", e);
        }
        return bytes.toByteArray();
    }

    private static void field(DataOutputStream out, byte[] value) throws IOException {
        out.writeInt(value.length);
        out.write(value);
    }
}
