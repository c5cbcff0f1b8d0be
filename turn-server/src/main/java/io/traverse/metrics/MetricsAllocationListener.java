package io.traverse.metrics;

import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationListener;
import io.traverse.turn.EndReason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Turns allocation core events into the allocation, permission and channel meters of
 * {@link TraverseMetrics}: active gauges and opened/installed/bound counters, allocations tagged by the
 * client transport ({@code fiveTuple().protocol()}) and the relay address {@link AllocationFamily}.
 *
 * <p>Thread-safe and lock-free: events arrive from every event loop, and each only touches atomics and
 * counters. It follows the counting contract of {@link AllocationListener}: a new permission or channel
 * ({@code refreshed == false}) adds one, an expiry removes one, and {@link #deleted} removes the
 * allocation's remaining {@link Allocation#permissionCount()} and {@link Allocation#channelCount()}, read
 * before the registry closes it. Never records the username.
 */
public final class MetricsAllocationListener implements AllocationListener {
    private final TraverseMetrics metrics;

    public MetricsAllocationListener(TraverseMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void allocated(Allocation allocation) {
        metrics.allocationOpened(allocation.fiveTuple().protocol(), AllocationFamily.of(allocation.relayAddresses()));
    }

    @Override
    public void deleted(Allocation allocation, EndReason reason) {
        metrics.allocationEnded(allocation.fiveTuple().protocol(), AllocationFamily.of(allocation.relayAddresses()),
                reason, allocation.permissionCount(), allocation.channelCount());
    }

    @Override
    public void permissionInstalled(Allocation allocation, InetAddress peer, boolean refreshed) {
        if (!refreshed) {
            metrics.permissionInstalled();
        }
    }

    @Override
    public void permissionExpired(Allocation allocation, InetAddress peer) {
        metrics.permissionExpired();
    }

    @Override
    public void channelBound(Allocation allocation, int channel, InetSocketAddress peer, boolean refreshed) {
        if (!refreshed) {
            metrics.channelBound();
        }
    }

    @Override
    public void channelExpired(Allocation allocation, int channel, InetSocketAddress peer) {
        metrics.channelExpired();
    }
}
