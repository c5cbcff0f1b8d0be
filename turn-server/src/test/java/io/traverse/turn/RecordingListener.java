package io.traverse.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Records events as text and keeps live counts the way a metrics listener would. */
final class RecordingListener implements AllocationListener {
    final List<String> events = new ArrayList<>();
    int livePermissions;
    int liveChannels;
    int liveAllocations;

    @Override
    public synchronized void allocated(Allocation a) {
        events.add("allocated " + a.username());
        liveAllocations++;
    }

    @Override
    public synchronized void refreshed(Allocation a, long lifetimeSeconds) {
        events.add("refreshed " + lifetimeSeconds);
    }

    @Override
    public synchronized void deleted(Allocation a, EndReason reason) {
        events.add("deleted " + reason);
        liveAllocations--;
        livePermissions -= a.permissionCount();
        liveChannels -= a.channelCount();
    }

    @Override
    public synchronized void permissionInstalled(Allocation a, InetAddress peer, boolean refreshed) {
        events.add((refreshed ? "permission refreshed " : "permission ") + peer.getHostAddress());
        if (!refreshed) {
            livePermissions++;
        }
    }

    @Override
    public synchronized void permissionExpired(Allocation a, InetAddress peer) {
        events.add("permission expired " + peer.getHostAddress());
        livePermissions--;
    }

    @Override
    public synchronized void channelBound(Allocation a, int channel, InetSocketAddress peer, boolean refreshed) {
        events.add((refreshed ? "channel refreshed " : "channel ") + Integer.toHexString(channel) + " "
                + peer.getAddress().getHostAddress() + ":" + peer.getPort());
        if (!refreshed) {
            liveChannels++;
        }
    }

    @Override
    public synchronized void channelExpired(Allocation a, int channel, InetSocketAddress peer) {
        events.add("channel expired " + Integer.toHexString(channel));
        liveChannels--;
    }

    synchronized List<String> drain() {
        List<String> copy = List.copyOf(events);
        events.clear();
        return copy;
    }
}
