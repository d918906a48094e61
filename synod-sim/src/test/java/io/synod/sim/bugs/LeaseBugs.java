package io.synod.sim.bugs;

import io.synod.core.Node;
import io.synod.core.NodeConfig;
import io.synod.core.election.ElectionContext;
import io.synod.core.election.LogElection;
import io.synod.core.election.PaxosLeaseElection;
import io.synod.replica.kv.KvRequest;
import io.synod.replica.kv.KvService;
import io.synod.replica.kv.ReadBarrier;
import io.synod.replica.kv.ReadOrdering;
import java.util.function.Function;

/** Planted lease bugs: each a subclass or a strategy swapped in from outside the election and the service. */
public final class LeaseBugs {
    private LeaseBugs() {}

    /** An acceptor that takes part as soon as it starts: it may grant a second lease while one it forgot is live. */
    public static Function<NodeConfig, Node.Parts> skipsStartupWait() {
        return config -> Node.Parts.production(config).withElection(context -> new PaxosLeaseElection(context) {
            @Override
            protected long startupWaitMs() {
                return 0;
            }
        });
    }

    /** A new master that reads locally as soon as it holds the lease, before an entry of its own term is chosen. */
    public static Function<NodeConfig, Node.Parts> servesBeforeItsTerm() {
        return config -> Node.Parts.production(config).withElection(context -> new PaxosLeaseElection(context) {
            @Override
            protected boolean waitsForItsTerm() {
                return false;
            }
        });
    }

    /** A log election that applies every BeMaster, stale or not: a late takeover makes a second master. */
    public static Function<NodeConfig, Node.Parts> beMasterWithoutVersionCheck() {
        return config -> Node.Parts.production(config).withElection(context -> new LogElection(context) {
            @Override
            protected boolean checksVersion() {
                return false;
            }
        });
    }

    /** A holder that reads locally to the last millisecond of its own timer, as if clocks never drifted. */
    public static Function<NodeConfig, Node.Parts> ignoresDrift() {
        return config -> Node.Parts.production(config).withElection(IgnoresDrift::new);
    }

    private static final class IgnoresDrift extends PaxosLeaseElection {
        IgnoresDrift(ElectionContext context) {
            super(context);
        }

        @Override
        protected long readMarginMs() {
            return 0;
        }
    }

    /**
     * A node that, once it has been master, goes on reading locally until it hears of another master: it never checks
     * that its lease is still live.
     */
    public static final class ReadsWithoutLease implements ReadOrdering {
        private final ReadOrdering fallback = new ReadBarrier();
        private boolean wasMaster;

        @Override
        public void order(KvService service, KvService.Host host, KvRequest.Consistency consistency,
                java.util.function.Consumer<io.synod.replica.kv.KvAnswer.Refusal> then) {
            int master = host.mastership().master();
            wasMaster |= host.mastership().mayReadLocally(host.nowMs());
            if (consistency == KvRequest.Consistency.LINEARIZABLE && wasMaster
                    && (master == host.nodeId() || master < 0)) {
                then.accept(null);
            } else {
                wasMaster &= master == host.nodeId() || master < 0;
                fallback.order(service, host, consistency, then);
            }
        }
    }
}
