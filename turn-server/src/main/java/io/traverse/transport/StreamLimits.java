package io.traverse.transport;

import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.traverse.config.LimitsConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.Limit;
import io.traverse.util.SourceCounts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection caps of {@code limits.streams}, shared by every TCP and TLS listener of a server: open connections
 * in total and per source (IPv4 address or IPv6 /64), connections whose 5-tuple has no allocation yet, and TLS
 * handshakes in progress. A connection over a cap is closed at accept, before any byte of it is read or a handshake
 * starts, and the refusal is counted under its {@link Limit}. Thread-safe: accepts happen on every loop.
 */
final class StreamLimits {
    private final LimitsConfig.Streams config;
    private final TraverseMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger withoutAllocation = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final SourceCounts perSource;

    StreamLimits(LimitsConfig.Streams config, TraverseMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.perSource = new SourceCounts(config.maxConnectionsPerIp());
    }

    LimitsConfig.Streams config() {
        return config;
    }

    WriteBufferWaterMark waterMark() {
        return new WriteBufferWaterMark(config.writeBufferLow(), config.writeBufferHigh());
    }

    /**
     * Admits a newly accepted connection, or closes it and counts why. An admitted connection counts as open and
     * as without allocation until it closes (or {@link #allocated()} is called); both are released on close.
     *
     * @return whether the connection was admitted
     */
    boolean admit(Channel channel) {
        InetAddress source = ((InetSocketAddress) channel.remoteAddress()).getAddress();
        Limit refused = null;
        if (!tryIncrement(open, config.maxConnections())) {
            refused = Limit.STREAM_CONNECTIONS;
        } else if (!perSource.tryAcquire(source)) {
            open.decrementAndGet();
            refused = Limit.STREAM_CONNECTIONS_PER_IP;
        } else if (!tryIncrement(withoutAllocation, config.maxWithoutAllocation())) {
            open.decrementAndGet();
            perSource.release(source);
            refused = Limit.STREAM_WITHOUT_ALLOCATION;
        }
        if (refused != null) {
            metrics.refused(refused);
            channel.close();
            return false;
        }
        metrics.streamConnection(1);
        channel.closeFuture().addListener(f -> {
            open.decrementAndGet();
            perSource.release(source);
            metrics.streamConnection(-1);
        });
        return true;
    }

    /** An admitted connection got its allocation (or became an RFC 6062 data connection), or closed without one. */
    void allocated() {
        withoutAllocation.decrementAndGet();
    }

    /**
     * Admits a newly accepted TLS connection: first a slot among the handshakes in progress, then {@link #admit}. The
     * handshake cap is checked first so that a connection refused for it never takes, even for a moment, a slot of
     * the other caps (with two loops accepting at once, a refused handshake holding a "without allocation" slot
     * made another connection be refused for the wrong limit). An admitted handshake is released with
     * {@link #handshakeDone}.
     */
    boolean admitTls(Channel channel) {
        if (!tryIncrement(handshakes, config.maxTlsHandshakes())) {
            metrics.refused(Limit.TLS_HANDSHAKES);
            channel.close();
            return false;
        }
        if (!admit(channel)) {
            handshakes.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Counts a connection closed by a limit enforced elsewhere (the allocation deadline). */
    void refused(Limit limit) {
        metrics.refused(limit);
    }

    void handshakeDone() {
        handshakes.decrementAndGet();
    }

    int open() {
        return open.get();
    }

    int withoutAllocation() {
        return withoutAllocation.get();
    }

    /** Adds one to {@code counter} unless it already holds {@code max}. */
    static boolean tryIncrement(AtomicInteger counter, int max) {
        for (;;) {
            int n = counter.get();
            if (n >= max) {
                return false;
            }
            if (counter.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }
}
