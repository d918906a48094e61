package io.synod.sim.history;

/**
 * The model state of one key: whether it exists, its value, and the version of the last operation that changed it (a
 * write, or the delete that removed it). The version is either known exactly or, after a write whose outcome is unknown
 * took effect, known only to be at least {@code version}. {@link RegisterModel} computes successor states; the search
 * memoises them, so this is an immutable value with structural equality.
 *
 * @param exists whether the key exists
 * @param value the key's value if it exists, else null
 * @param version the last change's version if {@code versionKnown}, else the least version it can have
 * @param versionKnown whether {@code version} is exact
 */
record RegisterState(boolean exists, String value, long version, boolean versionKnown) {
    /** A key nobody has written: absent, version 0. */
    static final RegisterState INITIAL = new RegisterState(false, null, 0, true);

    /** Checks that a value is present exactly when the key exists; throws IllegalArgumentException otherwise. */
    RegisterState {
        if (exists != (value != null)) {
            throw new IllegalArgumentException("a key has a value exactly when it exists: exists=" + exists
                    + ", value=" + value);
        }
    }

    /** Returns a state of a key that holds {@code value} at exactly {@code version}. */
    static RegisterState holding(String value, long version) {
        return new RegisterState(true, value, version, true);
    }

    /** Returns a state of a key that holds {@code value} at an unknown version of at least {@code leastVersion}. */
    static RegisterState holdingUnknownVersion(String value, long leastVersion) {
        return new RegisterState(true, value, leastVersion, false);
    }

    /** Returns a state of a key removed by a change at exactly {@code version}. */
    static RegisterState absentAfter(long version) {
        return new RegisterState(false, null, version, true);
    }

    /** Returns a state of a key removed by a change at an unknown version of at least {@code leastVersion}. */
    static RegisterState absentAfterUnknownVersion(long leastVersion) {
        return new RegisterState(false, null, leastVersion, false);
    }

    /** Returns the least version the next change to this key can have: one more than the last change's version. */
    long leastNextVersion() {
        return version == Long.MAX_VALUE ? Long.MAX_VALUE : version + 1;
    }

    /** Returns true if the last change's version can be {@code candidate}: equal to it, or unknown and allowing it. */
    boolean canHaveVersion(long candidate) {
        return versionKnown ? version == candidate : candidate >= version;
    }

    /** Returns true if the last change's version can differ from {@code candidate}. */
    boolean canDifferFrom(long candidate) {
        return !versionKnown || version != candidate;
    }

    /** Returns this state with its version fixed to {@code observed}; the caller has checked canHaveVersion. */
    RegisterState pinned(long observed) {
        if (!canHaveVersion(observed)) {
            throw new IllegalStateException("cannot pin the version of " + Describe.state(this) + " to " + observed);
        }
        return versionKnown ? this : new RegisterState(exists, value, observed, true);
    }
}
