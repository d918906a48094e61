package io.synod.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.message.Envelope;
import io.synod.core.message.Message;
import io.synod.net.proto.Ballot;
import io.synod.net.proto.Frame;
import io.synod.net.proto.Ping;
import io.synod.net.proto.Prepare;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Proves that every protocol message survives encode, serialization, parsing and decode unchanged. */
class MessageCodecTest {
    private static final long SEED = 20240611L;

    @Test
    void everyMessageTypeRoundTripsWithRandomFields() throws Exception {
        RandomMessages random = new RandomMessages(SEED);
        Set<Class<?>> covered = new HashSet<>();
        for (Function<RandomMessages, Message> generator : random.generators()) {
            for (int i = 0; i < 300; i++) {
                Message message = generator.apply(random);
                covered.add(message.getClass());
                Envelope original = new Envelope(random.anyInt(), random.anyInt(), message);

                byte[] wire = MessageCodec.encode(original).toByteArray();
                Envelope decoded = MessageCodec.decode(Frame.parseFrom(wire));

                assertThat(decoded).as("round trip of %s", original).isEqualTo(original);
            }
        }
        // A message type added to the core must get a generator here (and a case in the codec, which the compiler
        // enforces).
        assertThat(covered).containsExactlyInAnyOrderElementsOf(concreteMessageTypes(Message.class));
    }

    /** Every record type a sealed message family permits, through sealed sub-families like ElectionMessage. */
    private static List<Class<?>> concreteMessageTypes(Class<?> family) {
        List<Class<?>> types = new java.util.ArrayList<>();
        for (Class<?> permitted : family.getPermittedSubclasses()) {
            if (permitted.isSealed()) {
                types.addAll(concreteMessageTypes(permitted));
            } else {
                types.add(permitted);
            }
        }
        return types;
    }

    @Test
    void decodeRefusesFramesThatCarryNoProtocolMessage() {
        Frame empty = Frame.getDefaultInstance();
        Frame ping = Frame.newBuilder().setPing(Ping.getDefaultInstance()).build();
        Frame hello = RawPeer.hello(1, "c", 1);

        for (Frame frame : List.of(empty, ping, hello)) {
            assertThatThrownBy(() -> MessageCodec.decode(frame))
                    .isInstanceOf(MessageCodec.MalformedMessageException.class);
        }
    }

    @Test
    void decodeRefusesMissingOrInvalidFields() {
        Frame noBallot = Frame.newBuilder().setPrepare(Prepare.newBuilder().setFromSlot(3)).build();
        Frame reservedRound = Frame.newBuilder()
                .setPrepare(Prepare.newBuilder().setBallot(Ballot.newBuilder().setRound(0).setNodeId(2)))
                .build();
        Frame negativeRound = Frame.newBuilder()
                .setPrepare(Prepare.newBuilder().setBallot(Ballot.newBuilder().setRound(-5).setNodeId(2)))
                .build();

        assertThatThrownBy(() -> MessageCodec.decode(noBallot))
                .isInstanceOf(MessageCodec.MalformedMessageException.class)
                .hasMessageContaining("ballot");
        for (Frame frame : List.of(reservedRound, negativeRound)) {
            assertThatThrownBy(() -> MessageCodec.decode(frame))
                    .isInstanceOf(MessageCodec.MalformedMessageException.class);
        }
    }
}
