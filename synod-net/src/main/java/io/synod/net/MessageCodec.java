package io.synod.net;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.synod.core.Command;
import io.synod.core.LogEntry;
import io.synod.core.Value;
import io.synod.core.message.Accept;
import io.synod.core.message.Accepted;
import io.synod.core.message.AcceptedSlot;
import io.synod.core.message.CatchUpReply;
import io.synod.core.message.CatchUpRequest;
import io.synod.core.message.Commit;
import io.synod.core.message.Confirm;
import io.synod.core.message.Confirmed;
import io.synod.core.message.Envelope;
import io.synod.core.message.LeaseAccepted;
import io.synod.core.message.LeasePrepare;
import io.synod.core.message.LeasePromise;
import io.synod.core.message.LeasePropose;
import io.synod.core.message.LeaseRelease;
import io.synod.core.message.Message;
import io.synod.core.message.Nack;
import io.synod.core.message.Prepare;
import io.synod.core.message.Promise;
import io.synod.core.message.SnapshotChunk;
import io.synod.core.message.SnapshotRequest;
import io.synod.core.Ballot;
import io.synod.net.proto.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts protocol messages between the core's records and the protobuf {@link Frame} of {@code peer.proto}.
 *
 * <p>Both directions are exhaustive switches: {@link #encode} switches over the sealed {@link Message}, {@link #decode}
 * over the frame's oneof case, so a message type added to either side does not compile until it is handled here.
 *
 * <p>Stateless and thread-safe; called on Netty event-loop threads by {@link NettyTransport}, and usable anywhere.
 * Byte arrays ({@link Command#payload()}, {@link SnapshotChunk#data()}) are wrapped, not copied, when encoding: the core
 * promises never to modify them. Decoding copies them out of the frame.
 */
public final class MessageCodec {
    private MessageCodec() {}

    /** A frame that is well-formed protobuf but not a valid protocol message (a missing field, an invalid value). */
    public static final class MalformedMessageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** A malformed message; {@code message} says what is wrong. */
        public MalformedMessageException(String message) {
            super(message);
        }

        /** A malformed message that a core constructor refused with {@code cause}. */
        public MalformedMessageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The frame that carries {@code envelope}. Never throws for a valid envelope. */
    public static Frame encode(Envelope envelope) {
        Frame.Builder frame = Frame.newBuilder().setFrom(envelope.from()).setTo(envelope.to());
        switch (envelope.message()) {
            case Prepare m -> frame.setPrepare(io.synod.net.proto.Prepare.newBuilder()
                    .setBallot(ballot(m.ballot()))
                    .setFromSlot(m.fromSlot()));
            case Promise m -> {
                io.synod.net.proto.Promise.Builder promise = io.synod.net.proto.Promise.newBuilder()
                        .setBallot(ballot(m.ballot()))
                        .setFromSlot(m.fromSlot())
                        .setCommitted(m.committed());
                for (AcceptedSlot slot : m.slots()) {
                    promise.addSlots(io.synod.net.proto.AcceptedSlot.newBuilder()
                            .setSlot(slot.slot())
                            .setBallot(ballot(slot.ballot()))
                            .setValue(value(slot.value()))
                            .setChosen(slot.chosen()));
                }
                frame.setPromise(promise);
            }
            case Accept m -> frame.setAccept(io.synod.net.proto.Accept.newBuilder()
                    .setBallot(ballot(m.ballot()))
                    .setSlot(m.slot())
                    .setValue(value(m.value()))
                    .setChosenBelow(m.chosenBelow())
                    .setCommitted(m.committed()));
            case Accepted m -> frame.setAccepted(io.synod.net.proto.Accepted.newBuilder()
                    .setBallot(ballot(m.ballot()))
                    .setSlot(m.slot()));
            case Nack m -> frame.setNack(io.synod.net.proto.Nack.newBuilder()
                    .setRejected(ballot(m.rejected()))
                    .setPromised(ballot(m.promised()))
                    .setCommitted(m.committed()));
            case Commit m -> frame.setCommit(io.synod.net.proto.Commit.newBuilder()
                    .setBallot(ballot(m.ballot()))
                    .setChosenBelow(m.chosenBelow())
                    .setCommitted(m.committed()));
            case CatchUpRequest m -> frame.setCatchUpRequest(io.synod.net.proto.CatchUpRequest.newBuilder()
                    .setFromSlot(m.fromSlot()));
            case CatchUpReply m -> {
                io.synod.net.proto.CatchUpReply.Builder reply = io.synod.net.proto.CatchUpReply.newBuilder()
                        .setCommitted(m.committed())
                        .setSnapshotSlot(m.snapshotSlot());
                for (LogEntry entry : m.entries()) {
                    reply.addEntries(io.synod.net.proto.LogEntry.newBuilder()
                            .setSlot(entry.slot())
                            .setValue(value(entry.value())));
                }
                frame.setCatchUpReply(reply);
            }
            case SnapshotRequest m -> frame.setSnapshotRequest(io.synod.net.proto.SnapshotRequest.newBuilder()
                    .setSnapshotSlot(m.snapshotSlot())
                    .setOffset(m.offset()));
            case SnapshotChunk m -> frame.setSnapshotChunk(io.synod.net.proto.SnapshotChunk.newBuilder()
                    .setSnapshotSlot(m.snapshotSlot())
                    .setOffset(m.offset())
                    .setTotalBytes(m.totalBytes())
                    .setData(wrap(m.data())));
            case Confirm m -> frame.setConfirm(io.synod.net.proto.Confirm.newBuilder()
                    .setBallot(ballot(m.ballot())).setRound(m.round()));
            case Confirmed m -> frame.setConfirmed(io.synod.net.proto.Confirmed.newBuilder()
                    .setBallot(ballot(m.ballot())).setRound(m.round()));
            case LeasePrepare m -> frame.setLeasePrepare(io.synod.net.proto.LeasePrepare.newBuilder()
                    .setBallot(ballot(m.ballot())));
            case LeasePromise m -> frame.setLeasePromise(io.synod.net.proto.LeasePromise.newBuilder()
                    .setBallot(ballot(m.ballot()))
                    .setGranted(m.granted())
                    .setHolder(m.holder())
                    .setLeaseMs(m.leaseMs()));
            case LeasePropose m -> frame.setLeasePropose(io.synod.net.proto.LeasePropose.newBuilder()
                    .setBallot(ballot(m.ballot()))
                    .setHolder(m.holder())
                    .setLeaseMs(m.leaseMs())
                    .setFirstUnchosen(m.firstUnchosen()));
            case LeaseAccepted m -> frame.setLeaseAccepted(io.synod.net.proto.LeaseAccepted.newBuilder()
                    .setBallot(ballot(m.ballot()))
                    .setGranted(m.granted())
                    .setFirstUnchosen(m.firstUnchosen()));
            case LeaseRelease m -> frame.setLeaseRelease(io.synod.net.proto.LeaseRelease.newBuilder()
                    .setBallot(ballot(m.ballot()))
                    .setHolder(m.holder()));
        }
        return frame.build();
    }

    /**
     * The envelope {@code frame} carries.
     *
     * @throws MalformedMessageException if the frame carries no protocol message (a Hello, a Ping, nothing, or a type
     *     this version does not know) or a field is missing or invalid
     */
    public static Envelope decode(Frame frame) {
        try {
            return new Envelope(frame.getFrom(), frame.getTo(), message(frame));
        } catch (IllegalArgumentException e) {
            // A core constructor refused a value (a negative slot, a ballot of round 0 with an owner, ...).
            throw new MalformedMessageException("invalid " + frame.getBodyCase() + ": " + e.getMessage(), e);
        }
    }

    private static Message message(Frame frame) {
        return switch (frame.getBodyCase()) {
            case PREPARE -> {
                io.synod.net.proto.Prepare m = frame.getPrepare();
                yield new Prepare(ballot(m.hasBallot(), m.getBallot()), m.getFromSlot());
            }
            case PROMISE -> {
                io.synod.net.proto.Promise m = frame.getPromise();
                List<AcceptedSlot> slots = new ArrayList<>(m.getSlotsCount());
                for (io.synod.net.proto.AcceptedSlot slot : m.getSlotsList()) {
                    slots.add(new AcceptedSlot(slot.getSlot(), ballot(slot.hasBallot(), slot.getBallot()),
                            value(slot.hasValue(), slot.getValue()), slot.getChosen()));
                }
                yield new Promise(ballot(m.hasBallot(), m.getBallot()), m.getFromSlot(), m.getCommitted(), slots);
            }
            case ACCEPT -> {
                io.synod.net.proto.Accept m = frame.getAccept();
                yield new Accept(ballot(m.hasBallot(), m.getBallot()), m.getSlot(), value(m.hasValue(), m.getValue()),
                        m.getChosenBelow(), m.getCommitted());
            }
            case ACCEPTED -> {
                io.synod.net.proto.Accepted m = frame.getAccepted();
                yield new Accepted(ballot(m.hasBallot(), m.getBallot()), m.getSlot());
            }
            case NACK -> {
                io.synod.net.proto.Nack m = frame.getNack();
                yield new Nack(ballot(m.hasRejected(), m.getRejected()), ballot(m.hasPromised(), m.getPromised()),
                        m.getCommitted());
            }
            case COMMIT -> {
                io.synod.net.proto.Commit m = frame.getCommit();
                yield new Commit(ballot(m.hasBallot(), m.getBallot()), m.getChosenBelow(), m.getCommitted());
            }
            case CATCH_UP_REQUEST -> new CatchUpRequest(frame.getCatchUpRequest().getFromSlot());
            case CATCH_UP_REPLY -> {
                io.synod.net.proto.CatchUpReply m = frame.getCatchUpReply();
                List<LogEntry> entries = new ArrayList<>(m.getEntriesCount());
                for (io.synod.net.proto.LogEntry entry : m.getEntriesList()) {
                    entries.add(new LogEntry(entry.getSlot(), value(entry.hasValue(), entry.getValue())));
                }
                yield new CatchUpReply(m.getCommitted(), entries, m.getSnapshotSlot());
            }
            case SNAPSHOT_REQUEST -> {
                io.synod.net.proto.SnapshotRequest m = frame.getSnapshotRequest();
                yield new SnapshotRequest(m.getSnapshotSlot(), m.getOffset());
            }
            case SNAPSHOT_CHUNK -> {
                io.synod.net.proto.SnapshotChunk m = frame.getSnapshotChunk();
                yield new SnapshotChunk(m.getSnapshotSlot(), m.getOffset(), m.getTotalBytes(), m.getData().toByteArray());
            }
            case CONFIRM -> new Confirm(ballot(frame.getConfirm().hasBallot(), frame.getConfirm().getBallot()),
                    frame.getConfirm().getRound());
            case CONFIRMED -> new Confirmed(ballot(frame.getConfirmed().hasBallot(), frame.getConfirmed().getBallot()),
                    frame.getConfirmed().getRound());
            case LEASE_PREPARE -> new LeasePrepare(ballot(frame.getLeasePrepare().hasBallot(),
                    frame.getLeasePrepare().getBallot()));
            case LEASE_PROMISE -> {
                io.synod.net.proto.LeasePromise m = frame.getLeasePromise();
                yield new LeasePromise(ballot(m.hasBallot(), m.getBallot()), m.getGranted(), m.getHolder(),
                        m.getLeaseMs());
            }
            case LEASE_PROPOSE -> {
                io.synod.net.proto.LeasePropose m = frame.getLeasePropose();
                yield new LeasePropose(ballot(m.hasBallot(), m.getBallot()), m.getHolder(), m.getLeaseMs(),
                        m.getFirstUnchosen());
            }
            case LEASE_ACCEPTED -> {
                io.synod.net.proto.LeaseAccepted m = frame.getLeaseAccepted();
                yield new LeaseAccepted(ballot(m.hasBallot(), m.getBallot()), m.getGranted(), m.getFirstUnchosen());
            }
            case LEASE_RELEASE -> {
                io.synod.net.proto.LeaseRelease m = frame.getLeaseRelease();
                yield new LeaseRelease(ballot(m.hasBallot(), m.getBallot()), m.getHolder());
            }
            case HELLO, HELLO_PROOF, PING -> throw new MalformedMessageException(frame.getBodyCase() + " is not a protocol message");
            case BODY_NOT_SET -> throw new MalformedMessageException("frame carries no message of a known type");
        };
    }

    private static io.synod.net.proto.Ballot ballot(Ballot ballot) {
        return io.synod.net.proto.Ballot.newBuilder().setRound(ballot.round()).setNodeId(ballot.nodeId()).build();
    }

    private static Ballot ballot(boolean present, io.synod.net.proto.Ballot ballot) {
        require(present, "ballot");
        return new Ballot(ballot.getRound(), ballot.getNodeId());
    }

    private static io.synod.net.proto.Value value(Value value) {
        io.synod.net.proto.Value.Builder builder = io.synod.net.proto.Value.newBuilder();
        for (Command command : value.commands()) {
            builder.addCommands(io.synod.net.proto.Command.newBuilder()
                    .setOrigin(command.origin())
                    .setRequestId(command.requestId())
                    .setPayload(wrap(command.payload()))
                    .setKind(command.isClient() ? io.synod.net.proto.CommandKind.CLIENT
                            : io.synod.net.proto.CommandKind.ELECTION));
        }
        return builder.build();
    }

    private static Value value(boolean present, io.synod.net.proto.Value value) {
        require(present, "value");
        if (value.getCommandsCount() == 0) {
            return Value.NOOP;
        }
        List<Command> commands = new ArrayList<>(value.getCommandsCount());
        for (io.synod.net.proto.Command command : value.getCommandsList()) {
            Command.Kind kind = switch (command.getKind()) {
                case CLIENT -> Command.Kind.CLIENT;
                case ELECTION -> Command.Kind.ELECTION;
                case UNRECOGNIZED -> throw new MalformedMessageException("unknown command kind "
                        + command.getKindValue());
            };
            commands.add(new Command(kind, command.getOrigin(), command.getRequestId(),
                    command.getPayload().toByteArray()));
        }
        return new Value(commands);
    }

    private static ByteString wrap(byte[] bytes) {
        // Safe because the core never modifies these arrays after construction (see Command and SnapshotChunk).
        return bytes.length == 0 ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(bytes);
    }

    private static void require(boolean present, String field) {
        if (!present) {
            throw new MalformedMessageException("missing field: " + field);
        }
    }
}
