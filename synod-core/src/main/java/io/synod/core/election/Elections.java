package io.synod.core.election;

import io.synod.core.NodeConfig;
import java.util.List;

/** The one place that builds a node's election from its {@link NodeConfig} ({@code --election}). */
public final class Elections {
    /** The names {@code --election} accepts in this build. */
    public static final List<String> AVAILABLE = List.of("paxoslease", "log", "none");

    private Elections() {}

    /**
     * The factory of the election {@code config.election()} names.
     *
     * @throws IllegalArgumentException if this build has no election of that name
     */
    public static Election.Factory factory(NodeConfig config) {
        return switch (config.election()) {
            case "paxoslease" -> PaxosLeaseElection::new;
            case "log" -> LogElection::new;
            case "none" -> context -> new NoMasterElection(context.random(), config.backoffBaseMs(),
                    config.backoffMaxMs());
            default -> throw new IllegalArgumentException("--election " + config.election()
                    + " is not available in this build; available: " + String.join(", ", AVAILABLE));
        };
    }
}
