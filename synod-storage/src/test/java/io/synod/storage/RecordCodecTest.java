package io.synod.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.Command;
import io.synod.core.Durable;
import io.synod.core.Value;
import io.synod.core.Ballot;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every record type survives encode and decode; malformed payloads are refused, never misread. */
class RecordCodecTest {

    @Test
    void randomRecordsRoundTrip() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 2_000; i++) {
            Durable record = randomRecord(random);
            Durable decoded = RecordCodec.decode(RecordCodec.type(record), RecordCodec.encode(record));
            assertThat(decoded).isEqualTo(record);
        }
    }

    @Test
    void electionCommandsKeepTheirKindAndClientOnlyValuesKeepTheOriginalLayout() {
        io.synod.core.Value mixed = io.synod.core.Value.of(
                new io.synod.core.Command(io.synod.core.Command.Kind.ELECTION, 1, 7, new byte[] {1, 2}),
                new io.synod.core.Command(2, 8, new byte[] {3}));
        Durable chosen = new Durable.Chosen(4, mixed);
        assertThat(RecordCodec.type(chosen)).isEqualTo(RecordCodec.CHOSEN_WITH_KINDS);
        Durable decoded = RecordCodec.decode(RecordCodec.type(chosen), RecordCodec.encode(chosen));
        assertThat(decoded).isEqualTo(chosen);
        assertThat(((Durable.Chosen) decoded).value().commands().get(0).kind())
                .isEqualTo(io.synod.core.Command.Kind.ELECTION);

        Durable clientOnly = new Durable.Chosen(4, io.synod.core.Value.of(new io.synod.core.Command(2, 8, new byte[] {3})));
        assertThat(RecordCodec.type(clientOnly)).isEqualTo(RecordCodec.CHOSEN);
        assertThat(RecordCodec.encode(clientOnly)).hasSize(8 + 4 + 4 + 8 + 4 + 1);
    }

    @Test
    void truncatedOrPaddedPayloadsAreRefused() {
        byte[] payload = RecordCodec.encode(Records.accepted(5));
        byte[] truncated = java.util.Arrays.copyOf(payload, payload.length - 3);
        byte[] padded = java.util.Arrays.copyOf(payload, payload.length + 1);
        assertThatThrownBy(() -> RecordCodec.decode(RecordCodec.ACCEPTED, truncated))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordCodec.decode(RecordCodec.ACCEPTED, padded))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordCodec.decode((byte) 9, payload)).isInstanceOf(IllegalArgumentException.class);
    }

    static Durable randomRecord(SplittableRandom random) {
        Ballot ballot = new Ballot(1 + random.nextInt(1_000), random.nextInt(5));
        return switch (random.nextInt(3)) {
            case 0 -> new Durable.Promised(ballot);
            case 1 -> new Durable.Accepted(random.nextLong(1_000_000), ballot, randomValue(random));
            default -> new Durable.Chosen(random.nextLong(1_000_000), randomValue(random));
        };
    }

    static Value randomValue(SplittableRandom random) {
        List<Command> commands = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            byte[] payload = new byte[random.nextInt(64)];
            random.nextBytes(payload);
            commands.add(new Command(random.nextInt(5), random.nextLong(), payload));
        }
        return new Value(commands);
    }
}
