package io.synod.core.message;

import io.synod.core.Ballot;

/**
 * Commit news from a leader, sent after slots are chosen and as a heartbeat: every slot below {@code chosenBelow} that
 * the receiver accepted in {@code ballot} holds the chosen value. This is sound because a leader proposes exactly one
 * value per slot in its ballot and sends it only once each such slot has a quorum in that ballot. A receiver that has
 * a different ballot (or none) for such a slot must catch up.
 *
 * @param committed the sender's commit index
 */
public record Commit(Ballot ballot, long chosenBelow, long committed) implements Message {}
