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

    public RelaySession(ClientLink link) {
        this.link = link;
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

    /** Closes the relay sockets and stops the sweep timer. */
    public void close() {
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
