package io.traverse.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Events from the allocation core; metrics and logs subscribe here so the core knows neither.
 *
 * <p>Threads: {@link #allocated} and {@link #deleted} come from the thread calling the
 * {@link AllocationRegistry}; the others from the allocation's own event loop. Implementations must
 * be cheap and must not call back into the allocation. Events are sent after the state changed.
 *
 * <p>Counting: every {@code permissionInstalled(..., false)} is matched by a later
 * {@code permissionExpired} or by the allocation's {@code deleted}, at which point
 * {@link Allocation#permissionCount()} permissions (and {@link Allocation#channelCount()} channels)
 * vanish with it; the same holds for channels.
 */
public interface AllocationListener {

    /** Listens to nothing. */
    AllocationListener NOOP = new AllocationListener() {};

    /** The allocation was registered (RFC 8656 §7.2 success). */
    default void allocated(Allocation allocation) {}

    /** A Refresh set a new non-zero lifetime (RFC 8656 §8.2). */
    default void refreshed(Allocation allocation, long lifetimeSeconds) {}

    /** The allocation was removed from the registry. */
    default void deleted(Allocation allocation, EndReason reason) {}

    /** A permission was created ({@code refreshed == false}) or its lifetime reset (RFC 8656 §9). */
    default void permissionInstalled(Allocation allocation, InetAddress peer, boolean refreshed) {}

    /** A permission's lifetime ran out (RFC 8656 §9). */
    default void permissionExpired(Allocation allocation, InetAddress peer) {}

    /** A channel was bound ({@code refreshed == false}) or rebound to the same peer (RFC 8656 §12.2). */
    default void channelBound(Allocation allocation, int channel, InetSocketAddress peer, boolean refreshed) {}

    /** A channel binding's lifetime ran out (RFC 8656 §12); its reuse delay starts. */
    default void channelExpired(Allocation allocation, int channel, InetSocketAddress peer) {}

    /**
     * A listener that forwards every event to each of {@code listeners} in order. If one throws, the
     * rest still run and the first exception is rethrown afterwards (later ones suppressed).
     */
    static AllocationListener composite(List<? extends AllocationListener> listeners) {
        return CompositeAllocationListener.of(listeners);
    }
}
