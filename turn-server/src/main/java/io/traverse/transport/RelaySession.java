package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
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
    private RelayEndpoint relay4;
    private RelayEndpoint relay6;
    /** The loop's sweep that has this session, and its slot there (-1: none). */
    LoopSweep sweeper;
    int sweepSlot = -1;
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

    /** {@code relay} is this allocation's relay socket of one address family. */
    public void relay(RelayEndpoint relay, boolean ipv6) {
        if (ipv6) {
            relay6 = relay;
        } else {
            relay4 = relay;
        }
    }

    /**
     * {@code channel}, bound at {@code port}, is this allocation's relay socket of one address family: the listening
     * socket of an RFC 6062 TCP allocation, or (tests) a datagram channel.
     */
    public void relay(Channel channel, int port, boolean ipv6) {
        relay(new ChannelRelayEndpoint(channel, port), ipv6);
    }

    /** The relay socket for a peer of this address family, or null. */
    RelayEndpoint relayFor(InetAddress peer) {
        return peer instanceof Inet6Address ? relay6 : relay4;
    }

    @Override
    public int port(boolean ipv6) {
        RelayEndpoint relay = ipv6 ? relay6 : relay4;
        return relay == null ? -1 : relay.port();
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
        RelayEndpoint relay = tcp ? null : relayFor(peer.getAddress());
        if (relay == null) {
            return false;
        }
        ByteBuf data = link.channel().alloc().directBuffer(payload.length).writeBytes(payload);
        try {
            relay.send(data, 0, payload.length, peer);
            relay.flush();
        } finally {
            data.release();
        }
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
        LoopSweep s = sweeper;
        if (s != null) {
            if (link.eventLoop().inEventLoop()) {
                s.remove(this);
            } else {
                try {
                    link.eventLoop().execute(() -> s.remove(this));
                } catch (java.util.concurrent.RejectedExecutionException stopped) {
                    // the loop has shut down, and its sweep with it
                }
            }
        }
        if (relay4 != null) {
            relay4.close();
        }
        if (relay6 != null) {
            relay6.close();
        }
    }
}
