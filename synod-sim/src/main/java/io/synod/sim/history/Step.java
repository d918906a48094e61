package io.synod.sim.history;

import java.util.function.Supplier;

/**
 * The outcome of trying one operation against a model state: {@link RegisterModel#step} returns it and the search
 * either continues from {@link Allowed#next} or, for a failure report, asks {@link Refused#reason} why not. The reason
 * is built only when asked, because the search refuses candidates far more often than it reports.
 */
sealed interface Step {
    /**
     * The operation can take effect here.
     *
     * @param next the key's state after it
     */
    record Allowed(RegisterState next) implements Step {}

    /**
     * The operation cannot take effect here.
     *
     * @param reason builds a one-sentence explanation naming what the answer claimed and what the key held
     */
    record Refused(Supplier<String> reason) implements Step {}
}
