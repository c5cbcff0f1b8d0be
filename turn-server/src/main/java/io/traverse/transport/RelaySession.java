package io.traverse.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import io.traverse.turn.Allocation;
import io.traverse.turn.RelayHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The transport side of one allocation, its {@link RelayHandle}: the client link and the relay socket(s), all on the
 * client's event loop.
 */
public final class RelaySession implements RelayHandle {
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

    @Override
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

    @Override
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

    @Override
    public boolean sendToPeer(InetSocketAddress peer, byte[] payload) {
        Channel relay = tcp ? null : relayFor(peer.getAddress());
        if (relay == null) {
            return false;
        }
        relay.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(payload), peer), relay.voidPromise());
        return true;
    }

    @Override
    public Executor loop() {
        return link.eventLoop();
    }

    @Override
    public boolean inLoop() {
        return link.eventLoop().inEventLoop();
    }

    @Override
    public void closeClientConnection() {
        if (link.isStream()) {
            link.channel().close();
        }
    }

    @Override
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
