package io.synod.client;

import java.util.OptionalLong;

/**
 * {@code 412 PRECONDITION_FAILED}: the write's condition ({@link PutOptions#ifVersion}, {@link PutOptions#createOnly},
 * {@link DeleteOptions#ifVersion}) did not hold. Nothing was changed.
 */
public final class ConditionFailedException extends SynodException {
    private final OptionalLong currentVersion;

    ConditionFailedException(String code, String message, OptionalLong currentVersion) {
        super(412, code, message);
        this.currentVersion = currentVersion;
    }

    /** The key's version when the condition was checked ({@code ETag}), or empty if the key did not exist. */
    public OptionalLong currentVersion() {
        return currentVersion;
    }
}
