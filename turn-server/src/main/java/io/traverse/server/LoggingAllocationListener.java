package io.traverse.server;

import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationListener;
import io.traverse.turn.EndReason;
import io.traverse.util.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Allocation lifecycle at INFO: 5-tuple, username (escaped, {@link LogText}) and relay addresses. Never keys. */
final class LoggingAllocationListener implements AllocationListener {
    private static final Logger LOG = LoggerFactory.getLogger("io.traverse.allocation");

    @Override
    public void allocated(Allocation a) {
        LOG.info("allocation {} created: {} client={} server={} user={} relay={} lifetime={}s", a.id(),
                a.fiveTuple().protocol(), a.fiveTuple().client(), a.fiveTuple().server(), LogText.escape(a.username()),
                a.advertisedRelayAddresses(), a.lifetimeSeconds());
    }

    @Override
    public void deleted(Allocation a, EndReason reason) {
        LOG.info("allocation {} ended ({}): client={} user={}", a.id(), reason, a.fiveTuple().client(),
                LogText.escape(a.username()));
    }
}
