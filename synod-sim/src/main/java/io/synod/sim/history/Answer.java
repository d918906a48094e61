package io.synod.sim.history;

/**
 * What the store answered to one operation, as the client saw it. Which answers fit which operation kind is enforced
 * by {@link Operation}: a put answers {@link Written}, {@link PreconditionFailed} or {@link Unknown}; a delete answers
 * {@link Deleted}, {@link PreconditionFailed} or {@link Unknown}; a read answers {@link ReadValue}, {@link ReadAbsent}
 * or {@link Unknown}. Operations that definitely did not happen (HTTP 503, 422, 400) have no answer: they are left out
 * of the history altogether.
 */
public sealed interface Answer {
    /**
     * A put succeeded and the key now holds its value at {@code version}.
     *
     * @param version the revision the store gave the write
     */
    record Written(long version) implements Answer {}

    /**
     * A delete succeeded.
     *
     * @param version the revision of the delete itself; any later write to the key must have a greater version
     * @param deleted whether the key existed (and was removed) at the delete's linearization point
     */
    record Deleted(long version, boolean deleted) implements Answer {}

    /**
     * A read found the key holding {@code value} at {@code version}.
     *
     * @param value the value read, never null
     * @param version the version read
     */
    record ReadValue(String value, long version) implements Answer {
        /** Checks that the value is present; throws IllegalArgumentException otherwise (use {@link ReadAbsent}). */
        public ReadValue {
            if (value == null) {
                throw new IllegalArgumentException("a read that found a value needs the value; use ReadAbsent");
            }
        }
    }

    /** A read found that the key does not exist. */
    record ReadAbsent() implements Answer {}

    /**
     * A conditional write was refused with HTTP 412: at its linearization point the condition did not hold. The store
     * may say more about the key at that point.
     *
     * @param currentVersion the key's current version if the answer named it (then the key existed), else null
     * @param exists whether the key existed if the answer said so, else null; true whenever a version is named
     */
    record PreconditionFailed(Long currentVersion, Boolean exists) implements Answer {
        /**
         * Checks that a named current version and "does not exist" are not both claimed (IllegalArgumentException
         * otherwise), and records that a named current version means the key existed.
         */
        public PreconditionFailed {
            if (currentVersion != null && Boolean.FALSE.equals(exists)) {
                throw new IllegalArgumentException(
                        "a 412 cannot both name current version " + currentVersion + " and say the key does not exist");
            }
            if (currentVersion != null) {
                exists = Boolean.TRUE;
            }
        }
    }

    /**
     * The client never learned the outcome (timeout, 504, connection lost, crash): the operation may have taken effect
     * at any instant after its invocation, or never. Its completion time is {@link Long#MAX_VALUE}.
     */
    record Unknown() implements Answer {}

    /** Returns an answer for a put that succeeded at {@code version}. */
    static Answer written(long version) {
        return new Written(version);
    }

    /** Returns an answer for a delete at {@code version} that did ({@code deleted}) or did not find the key. */
    static Answer deleted(long version, boolean deleted) {
        return new Deleted(version, deleted);
    }

    /** Returns an answer for a read that found {@code value} at {@code version}. */
    static Answer read(String value, long version) {
        return new ReadValue(value, version);
    }

    /** Returns an answer for a read that found no key. */
    static Answer absent() {
        return new ReadAbsent();
    }

    /** Returns a 412 answer that says nothing more about the key. */
    static Answer preconditionFailed() {
        return new PreconditionFailed(null, null);
    }

    /** Returns a 412 answer that names the key's current version (so the key existed). */
    static Answer preconditionFailed(long currentVersion) {
        return new PreconditionFailed(currentVersion, true);
    }

    /** Returns a 412 answer that says the key did not exist. */
    static Answer preconditionFailedAbsent() {
        return new PreconditionFailed(null, false);
    }

    /** Returns the answer of an operation whose outcome the client never learned. */
    static Answer unknown() {
        return new Unknown();
    }
}
