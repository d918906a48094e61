package io.synod.core.paxos;

import io.synod.core.Command;
import io.synod.core.Invariants;
import io.synod.core.NodeConfig;
import io.synod.core.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This node's commands on their way into the log: the queue waiting for a slot, and the slots that hold them until
 * those slots are decided. A slot that turns out chosen with another value sends its commands back to the front of the
 * queue, so a command is in at most one undecided slot at a time and the core never makes a duplicate.
 *
 * <p>Bounded: at most {@code maxPendingCommands} client commands wait; an election command goes ahead of them and
 * replaces any election command still waiting (only the election's newest wish matters), so at most
 * {@link #MAX_ELECTION_COMMANDS} wait even counting those sent back from lost slots. Owned by the {@link Proposer};
 * single-threaded.
 */
final class CommandQueue {
    /** Most election commands waiting at once; an election proposes one now and then, never a stream. */
    static final int MAX_ELECTION_COMMANDS = 16;

    private final NodeConfig config;
    private final int self;
    private final ArrayDeque<Command> pending = new ArrayDeque<>();
    /** The bytes of the commands in {@link #pending}. */
    private long pendingBytes;
    private final Map<Long, Value> mine = new HashMap<>();
    private int electionCommands;

    CommandQueue(NodeConfig config, int self) {
        this.config = config;
        this.self = self;
    }

    int size() {
        return pending.size();
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Whether the next {@link #cut} would be a batch as large as the batch limits allow. */
    boolean hasFullBatch() {
        return pending.size() >= config.maxBatchCommands() || pendingBytes >= config.maxBatchBytes();
    }

    /** Queues a command; election commands go to the front. Returns false if its bound is reached. */
    boolean offer(Command command) {
        if (command.isClient()) {
            if (pending.size() - electionCommands >= config.maxPendingCommands()) {
                return false;
            }
            pending.addLast(command);
        } else {
            if (electionCommands > 0) {
                pending.removeIf(waiting -> {
                    if (waiting.isClient()) {
                        return false;
                    }
                    pendingBytes -= waiting.sizeBytes();
                    return true;
                });
                electionCommands = 0;
            }
            pending.addFirst(command);
            electionCommands++;
        }
        pendingBytes += command.sizeBytes();
        return true;
    }

    /** Cuts the next batch from the front of the queue, bounded by the batch limits, and remembers its slot. */
    Value cut(long slot) {
        List<Command> batch = new ArrayList<>(Math.min(pending.size(), config.maxBatchCommands()));
        int bytes = 0;
        while (!pending.isEmpty() && batch.size() < config.maxBatchCommands()) {
            Command next = pending.peekFirst();
            if (!batch.isEmpty() && bytes + next.sizeBytes() > config.maxBatchBytes()) {
                break;
            }
            bytes += next.sizeBytes();
            pendingBytes -= next.sizeBytes();
            batch.add(pending.pollFirst());
            if (!next.isClient()) {
                electionCommands--;
            }
        }
        Invariants.check(!batch.isEmpty(), "cut an empty batch for slot %d", slot);
        Value value = new Value(batch);
        Value previous = mine.put(slot, value);
        if (previous != null) {
            // An earlier leadership of ours put a batch here that no promise of this leader's phase 1 reported: no
            // majority accepted it below this ballot, and in this ballot only we propose, so it can never be chosen.
            // Its commands go back to the front of the queue.
            requeueFront(previous.commands());
        }
        return value;
    }

    /**
     * Slot {@code slot} was chosen with {@code chosen}. If it held a batch of ours with another value, the commands of
     * the batch that are not in the chosen value go back to the front of the queue, in their order.
     */
    void onChosen(long slot, Value chosen) {
        Value proposed = mine.remove(slot);
        if (proposed == null || proposed.equals(chosen)) {
            return;
        }
        Set<Long> chosenIds = new HashSet<>();
        for (Command command : chosen.commands()) {
            if (command.origin() == self) {
                chosenIds.add(command.requestId());
            }
        }
        List<Command> lost = new ArrayList<>();
        for (Command command : proposed.commands()) {
            if (!chosenIds.contains(command.requestId())) {
                lost.add(command);
            }
        }
        requeueFront(lost);
    }

    private void requeueFront(List<Command> commands) {
        for (int i = commands.size() - 1; i >= 0; i--) {
            Command command = commands.get(i);
            if (!command.isClient() && electionCommands >= MAX_ELECTION_COMMANDS) {
                continue; // the election has newer wishes waiting: an old one lost from a slot may go
            }
            pending.addFirst(command);
            pendingBytes += command.sizeBytes();
            if (!command.isClient()) {
                electionCommands++;
            }
        }
    }

    /**
     * A snapshot covering every slot below {@code slot} was installed: the fate of our commands there can no longer be
     * learned. Returns their request ids.
     */
    List<Long> forgetBelow(long slot) {
        List<Long> unknown = new ArrayList<>();
        mine.entrySet().removeIf(entry -> {
            if (entry.getKey() >= slot) {
                return false;
            }
            for (Command command : entry.getValue().commands()) {
                unknown.add(command.requestId());
            }
            return true;
        });
        return unknown;
    }
}
