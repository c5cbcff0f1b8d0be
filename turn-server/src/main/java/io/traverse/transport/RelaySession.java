package io.traverse.transport;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.traverse.turn.Allocation;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The transport side of one allocation, stored as its attachment: the client link and the relay socket(s),
 * all on the client's event loop.
 */
public final class RelaySession {
    private final ClientLink link;
    private Allocation allocation;
    private Channel relay4;
    private Channel relay6;
    private int port4 = -1;
    private int port6 = -1;
    private ScheduledFuture<?> sweep;
    /** RFC 6062 peer connections; created on the first, so a UDP allocation carries no empty set. */
    private java.util.Set<Channel> owned;
    private boolean closed;

    private final boolean tcp;

    public RelaySession(ClientLink link, boolean tcp) {
        this.link = link;
        this.tcp = tcp;
    }

    /** Whether this is an RFC 6062 TCP allocation (its relay is a listening socket, not a datagram socket). */
    public boolean isTcp() {
        return tcp;
    }

    public ClientLink link() {
        return link;
    }

    public Allocation allocation() {
        return allocation;
    }

    public void allocation(Allocation allocation) {
        this.allocation = allocation;
    }

    public void relay(Channel channel, int port, boolean ipv6) {
        if (ipv6) {
            relay6 = channel;
            port6 = port;
        } else {
            relay4 = channel;
            port4 = port;
        }
    }

    /** The relay socket for a peer of this address family, or null. */
    public Channel relayFor(InetAddress peer) {
        return peer instanceof Inet6Address ? relay6 : relay4;
    }

    public int port(boolean ipv6) {
        return ipv6 ? port6 : port4;
    }

    public void sweep(ScheduledFuture<?> sweep) {
        this.sweep = sweep;
    }

    /**
     * Ties {@code channel} (an RFC 6062 peer connection) to this allocation: it is closed with it. Call on the
     * allocation's loop.
     */
    public void own(Channel channel) {
        if (closed) {
            channel.close();
            return;
        }
        if (owned == null) {
            owned = new java.util.LinkedHashSet<>();
        }
        java.util.Set<Channel> set = owned;
        set.add(channel);
        channel.closeFuture().addListener(f -> set.remove(channel));
    }

    /** Closes the relay sockets and owned connections and stops the sweep timer. */
    public void close() {
        closed = true;
        if (owned != null) {
            for (Channel channel : java.util.List.copyOf(owned)) {
                channel.close();
            }
        }
        if (sweep != null) {
            sweep.cancel(false);
        }
        if (relay4 != null) {
            relay4.close();
        }
        if (relay6 != null) {
            relay6.close();
        }
    }
}
