package io.traverse.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/** Fan-out behind {@link AllocationListener#composite}. */
final class CompositeAllocationListener implements AllocationListener {

    private final AllocationListener[] listeners;

    private CompositeAllocationListener(AllocationListener[] listeners) {
        this.listeners = listeners;
    }

    static AllocationListener of(List<? extends AllocationListener> list) {
        Objects.requireNonNull(list, "listeners");
        AllocationListener[] arr = list.toArray(new AllocationListener[0]);
        for (AllocationListener l : arr) {
            Objects.requireNonNull(l, "listener");
        }
        if (arr.length == 0) {
            return NOOP;
        }
        if (arr.length == 1) {
            return arr[0];
        }
        return new CompositeAllocationListener(arr);
    }

    private void each(Consumer<AllocationListener> event) {
        RuntimeException first = null;
        for (AllocationListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void allocated(Allocation a) {
        each(l -> l.allocated(a));
    }

    @Override
    public void refreshed(Allocation a, long lifetimeSeconds) {
        each(l -> l.refreshed(a, lifetimeSeconds));
    }

    @Override
    public void deleted(Allocation a, EndReason reason) {
        each(l -> l.deleted(a, reason));
    }

    @Override
    public void permissionInstalled(Allocation a, InetAddress peer, boolean refreshed) {
        each(l -> l.permissionInstalled(a, peer, refreshed));
    }

    @Override
    public void permissionExpired(Allocation a, InetAddress peer) {
        each(l -> l.permissionExpired(a, peer));
    }

    @Override
    public void channelBound(Allocation a, int channel, InetSocketAddress peer, boolean refreshed) {
        each(l -> l.channelBound(a, channel, peer, refreshed));
    }

    @Override
    public void channelExpired(Allocation a, int channel, InetSocketAddress peer) {
        each(l -> l.channelExpired(a, channel, peer));
    }
}
