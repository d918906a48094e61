package io.synod.dist.e2e;

/**
 * {@link MasterFailoverIT} with {@code --election log}: the master is elected through the log. Kills and freezes as
 * there; a clean stop has no lease to release, so the next master comes when the others' view of the term ends
 * (a lease and a little), not at once.
 */
class LogMasterFailoverIT extends MasterFailoverIT {
    @Override
    protected String election() {
        return "log";
    }

    @Override
    protected int kills() {
        return Integer.getInteger("synod.failover.logKills", 5);
    }

    @Override
    protected long cleanStopBoundMs() {
        return 3_000; // three leases of 1 s: the term seen by the others, its jitter, and the election
    }
}
