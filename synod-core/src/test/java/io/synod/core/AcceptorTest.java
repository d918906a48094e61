package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.message.Accept;
import io.synod.core.message.Accepted;
import io.synod.core.message.Envelope;
import io.synod.core.message.Nack;
import io.synod.core.message.Prepare;
import io.synod.core.message.Promise;
import org.junit.jupiter.api.Test;

/** The acceptor's rules (seed 004, phases 1 and 2), driven through a single node with hand-made messages. */
class AcceptorTest {
    private final TestCluster cluster = new TestCluster(3);
    private final Node node = cluster.node(0);

    AcceptorTest() {
        cluster.drop(e -> true); // the start-up catch-up probes
    }

    private Ready receive(int from, io.synod.core.message.Message message) {
        node.step(cluster.now, new Input.Receive(new Envelope(from, 0, message)));
        Ready ready = node.ready();
        node.advance();
        return ready;
    }

    private static Value value(String payload) {
        return Value.of(new Command(1, payload.hashCode(), payload.getBytes()));
    }

    @Test
    void promiseNeverGoesDown() {
        Ready first = receive(1, new Prepare(new Ballot(5, 1), 0));
        assertThat(first.messages()).singleElement().extracting(Envelope::message).isInstanceOf(Promise.class);

        Ready second = receive(2, new Prepare(new Ballot(4, 2), 0));
        assertThat(second.messages()).singleElement().extracting(Envelope::message)
                .isEqualTo(new Nack(new Ballot(4, 2), new Ballot(5, 1), 0));
        assertThat(node.status().promised()).isEqualTo(new Ballot(5, 1));
    }

    @Test
    void promiseIsSyncedInTheSameReadyAsItsReply() {
        Ready ready = receive(1, new Prepare(new Ballot(5, 1), 0));
        assertThat(ready.records()).containsExactly(new Durable.Promised(new Ballot(5, 1)));
        assertThat(ready.mustSync()).isTrue();
    }

    @Test
    void acceptBelowThePromiseIsRefusedWithTheHigherBallot() {
        receive(1, new Prepare(new Ballot(5, 1), 0));
        Ready ready = receive(2, new Accept(new Ballot(3, 2), 0, value("x"), 0, 0));
        assertThat(ready.records()).isEmpty();
        assertThat(ready.messages()).singleElement().extracting(Envelope::message)
                .isEqualTo(new Nack(new Ballot(3, 2), new Ballot(5, 1), 0));
    }

    @Test
    void acceptAtOrAboveThePromiseIsPersistedSyncedAndAcknowledged() {
        receive(1, new Prepare(new Ballot(5, 1), 0));
        Ready ready = receive(1, new Accept(new Ballot(5, 1), 0, value("x"), 0, 0));
        assertThat(ready.records()).containsExactly(new Durable.Accepted(0, new Ballot(5, 1), value("x")));
        assertThat(ready.mustSync()).isTrue();
        assertThat(ready.messages()).extracting(Envelope::message).contains(new Accepted(new Ballot(5, 1), 0));
    }

    @Test
    void promiseReportsEveryAcceptedValueFromTheRequestedSlot() {
        receive(1, new Accept(new Ballot(2, 1), 3, value("a"), 0, 0));
        receive(1, new Accept(new Ballot(2, 1), 7, value("b"), 0, 0));
        receive(2, new Accept(new Ballot(3, 2), 7, value("c"), 0, 0));

        Ready ready = receive(2, new Prepare(new Ballot(9, 2), 5));
        Promise promise = (Promise) ready.messages().get(0).message();
        assertThat(promise.slots()).singleElement().satisfies(slot -> {
            assertThat(slot.slot()).isEqualTo(7);
            assertThat(slot.ballot()).isEqualTo(new Ballot(3, 2));
            assertThat(slot.value()).isEqualTo(value("c"));
        });
    }

    @Test
    void sameBallotSameSlotWithAnotherValueBreaksAnInvariant() {
        receive(1, new Accept(new Ballot(2, 1), 0, value("a"), 0, 0));
        assertThatThrownBy(() -> receive(1, new Accept(new Ballot(2, 1), 0, value("b"), 0, 0)))
                .isInstanceOf(InvariantViolation.class)
                .hasMessageContaining("two values");
    }

    @Test
    void restartRecoversThePromiseFromTheLog() {
        cluster.step(0, new Input.Receive(new Envelope(1, 0, new Prepare(new Ballot(8, 1), 0))));
        cluster.crash(0);
        cluster.start(0);
        assertThat(cluster.node(0).status().promised()).isEqualTo(new Ballot(8, 1));
    }

    @Test
    void commitNewsMarksSlotsAcceptedInThatBallotAsChosen() {
        receive(1, new Accept(new Ballot(2, 1), 0, value("a"), 0, 0));
        receive(1, new Accept(new Ballot(2, 1), 1, value("b"), 0, 0));
        Ready ready = receive(1, new io.synod.core.message.Commit(new Ballot(2, 1), 2, 2));
        assertThat(ready.toApply()).extracting(LogEntry::slot).containsExactly(0L, 1L);
        assertThat(ready.records()).contains(new Durable.Chosen(0, value("a")), new Durable.Chosen(1, value("b")));
    }

    @Test
    void commitNewsForAnotherBallotTeachesNothing() {
        receive(1, new Accept(new Ballot(2, 1), 0, value("a"), 0, 0));
        Ready ready = receive(2, new io.synod.core.message.Commit(new Ballot(3, 2), 1, 1));
        assertThat(ready.toApply()).isEmpty();
        // Instead the node knows it is behind and asks the sender for the chosen value.
        assertThat(ready.messages()).extracting(Envelope::to, e -> e.message().getClass().getSimpleName())
                .contains(org.assertj.core.groups.Tuple.tuple(2, "CatchUpRequest"));
    }

    @Test
    void anAcceptorFarBehindRefusesToAcceptAndCatchesUpFirst() {
        int window = node.config().acceptWindow();
        Ready ready = receive(1, new Accept(new Ballot(2, 1), window + 5, value("a"), window, window));
        assertThat(ready.records()).isEmpty();
        assertThat(ready.messages()).extracting(e -> e.message().getClass().getSimpleName())
                .containsExactly("CatchUpRequest");
        assertThat(ready.mustSync()).isFalse();
    }
}
