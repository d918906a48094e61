package io.synod.core;

/**
 * Deliberate protocol bugs, for tests only. The simulator's checkers are trusted only once a test shows them catching
 * each of these (see synod-sim's PlantedBugTest). Production configuration never enables any; {@link NodeConfig}
 * holds an empty set by default and the server has no flag for them.
 */
public enum PlantedBug {
    /** On restart the acceptor does not restore the ballot it promised: it starts from zero. */
    FORGET_PROMISE_ON_RESTART,
    /** After phase 1 the proposer ignores the values reported in promises and fills every slot with its own. */
    IGNORE_PROMISED_VALUES,
    /** The learner hands out chosen values as soon as it learns them, not in slot order. */
    APPLY_OUT_OF_ORDER,
    /** The replica loop lets a Ready's messages out without waiting for its records to be synced. */
    SEND_BEFORE_PERSIST
}
