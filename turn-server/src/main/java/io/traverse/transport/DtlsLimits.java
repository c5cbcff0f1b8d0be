package io.traverse.transport;

import io.traverse.config.LimitsConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.Limit;
import io.traverse.util.SourceCounts;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The caps of {@code limits.dtls}, shared by every DTLS listener of a server: associations (handshaking or
 * established) in total and per source, and handshakes in progress per source, so that a few sources sending
 * ClientHellos cannot take the whole handshake pool ({@link DtlsListener#MAX_CONCURRENT_HANDSHAKES}) from everyone
 * else. Checked only after the client echoed a valid cookie, so the source address is not spoofed. Thread-safe.
 */
final class DtlsLimits {
    private final LimitsConfig.Dtls config;
    private final TraverseMetrics metrics;
    private final AtomicInteger associations = new AtomicInteger();
    private final SourceCounts associationsPerSource;
    private final SourceCounts handshakesPerSource;

    DtlsLimits(LimitsConfig.Dtls config, TraverseMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.associationsPerSource = new SourceCounts(config.maxAssociationsPerIp());
        this.handshakesPerSource = new SourceCounts(config.maxHandshakesPerIp());
    }

    /**
     * Counts a new association and its handshake for {@code source}, or counts the refusal and returns false. An
     * admitted one is released with {@link #handshakeEnded} and {@link #associationClosed}.
     */
    boolean admit(InetAddress source) {
        if (!handshakesPerSource.tryAcquire(source)) {
            metrics.refused(Limit.DTLS_HANDSHAKES_PER_IP);
            return false;
        }
        if (!StreamLimits.tryIncrement(associations, config.maxAssociations())) {
            handshakesPerSource.release(source);
            metrics.refused(Limit.DTLS_ASSOCIATIONS);
            return false;
        }
        if (!associationsPerSource.tryAcquire(source)) {
            associations.decrementAndGet();
            handshakesPerSource.release(source);
            metrics.refused(Limit.DTLS_ASSOCIATIONS_PER_IP);
            return false;
        }
        return true;
    }

    void handshakeEnded(InetAddress source) {
        handshakesPerSource.release(source);
    }

    void associationClosed(InetAddress source) {
        associations.decrementAndGet();
        associationsPerSource.release(source);
    }
}
