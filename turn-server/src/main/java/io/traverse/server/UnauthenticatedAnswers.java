package io.traverse.server;

import io.traverse.auth.RateLimiter;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.transport.ClientLink;

/**
 * The per-source budget for error answers sent before a request authenticated (420, the 400 for an unknown
 * method), shared by the dispatcher and the Binding handler; the {@link Authenticator} applies the same limiter to
 * its 401s and 400s. Each answer goes to a possibly spoofed address, so past the budget the request is dropped and
 * counted ({@code rate_limited}).
 */
final class UnauthenticatedAnswers {
    private final RateLimiter limiter;
    private final TraverseMetrics metrics;

    UnauthenticatedAnswers(RateLimiter limiter, TraverseMetrics metrics) {
        this.limiter = limiter;
        this.metrics = metrics;
    }

    /** Takes a permit for one answer to {@code link}'s source; false (and counted) when it is over its rate. */
    boolean tryAnswer(ClientLink link) {
        if (limiter.tryAcquire(link.fiveTuple().client().getAddress())) {
            return true;
        }
        metrics.dropped(DropReason.RATE_LIMITED);
        return false;
    }
}
