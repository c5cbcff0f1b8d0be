package io.traverse.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.ScheduledFuture;
import io.traverse.config.LimitsConfig;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ConnectionId;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.transport.ClientLink;
import io.traverse.transport.RelaySession;
import io.traverse.transport.TcpRelaySockets;
import io.traverse.turn.Allocation;
import io.traverse.turn.TurnClock;
import io.traverse.util.TokenBucket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 6062 TCP relaying: the peer connections of every TCP allocation and ConnectionAttempt for peers that connect in
 * (§5.3). The requests are {@link ConnectHandler}'s (§5.2) and {@link ConnectionBindHandler}'s (§5.4). A peer
 * connection waits, unread, for the client's data connection; unbound ones are closed after 30 s.
 * Control and peer connections of an allocation live on the allocation's loop; the data connection is on the loop
 * its accept landed on, so bytes between a data connection and its peer may cross loops (documented in
 * docs/architecture.md).
 */
final class TcpRelay {
    private static final Logger LOG = LoggerFactory.getLogger(TcpRelay.class);
    /** RFC 6062 §5.2/§5.3: a peer connection not bound by the client within 30 s is closed. */
    static final long BIND_TIMEOUT_SECONDS = 30;
    /** Connect gives up (447) after this long. */
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** Unbound peer connections an allocation may hold (floods of inbound connections are refused). */
    static final int MAX_PENDING_PER_ALLOCATION = 64;

    /**
     * A peer connection: its slot is taken when a Connect starts (no channel yet), so pipelined Connects see it; it
     * gets its channel and CONNECTION-ID once connected (or accepted), before and after ConnectionBind.
     */
    static final class PeerConnection {
        int id;
        final Allocation allocation;
        Channel channel;
        final InetSocketAddress peer;
        ScheduledFuture<?> timeout;

        PeerConnection(Allocation allocation, InetSocketAddress peer) {
            this.allocation = allocation;
            this.peer = peer;
        }
    }

    /**
     * An allocation's transport side, its peer connections (connecting, unbound and bound) by peer, and its Connect
     * budget.
     */
    static final class AllocationConnections {
        final RelaySession session;
        final Map<InetSocketAddress, PeerConnection> byPeer = new ConcurrentHashMap<>();
        final TokenBucket connects;

        AllocationConnections(RelaySession session, int connectsPerSecond) {
            this.session = session;
            this.connects = new TokenBucket(connectsPerSecond);
        }
    }

    private final TcpRelaySockets sockets;
    private final LivePolicy policy;
    private final TurnClock clock;
    private final TraverseMetrics metrics;
    private final SecureRandom random = new SecureRandom();
    /** Unbound peer connections by CONNECTION-ID (ConnectionBind arrives on another connection, maybe another loop). */
    private final Map<Integer, PeerConnection> pending = new ConcurrentHashMap<>();
    /** Live peer connections by allocation id and peer address (446 detection). */
    private final Map<Long, AllocationConnections> byAllocation = new ConcurrentHashMap<>();
    private final LimitsConfig.TcpRelay limits;
    /** {@code limits.tcp-relay.connects-per-second}: every Connect of the server draws from it. */
    private final TokenBucket serverConnects;

    TcpRelay(TcpRelaySockets sockets, LivePolicy policy, TurnClock clock, TraverseMetrics metrics,
            LimitsConfig.TcpRelay limits) {
        this.sockets = sockets;
        this.policy = policy;
        this.clock = clock;
        this.metrics = metrics;
        this.limits = limits;
        this.serverConnects = new TokenBucket(limits.connectsPerSecond());
    }

    /** Binds the listening socket of a TCP allocation at {@code address} on the client's loop. */
    ChannelFuture listen(RelaySession session, InetSocketAddress address) {
        return sockets.listen(session.link().eventLoop(), address, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                onPeerConnected(session, ch);
            }
        });
    }

    /** §5.3: a peer connected to the relayed address. */
    private void onPeerConnected(RelaySession session, Channel channel) {
        Allocation allocation = session.allocation();
        InetSocketAddress peer = (InetSocketAddress) channel.remoteAddress();
        long now = clock.nanos();
        if (allocation == null || allocation.isExpired(now)) {
            channel.close();
            return;
        }
        if (!allocation.hasPermission(peer.getAddress(), now) || !policy.get().isAllowed(peer.getAddress())) {
            // "If there is no permission for the peer's IP address, the server MUST close the connection."
            metrics.dropped(DropReason.NO_PERMISSION);
            channel.close();
            return;
        }
        Map<InetSocketAddress, PeerConnection> live = connections(allocation, session).byPeer;
        PeerConnection connection = new PeerConnection(allocation, peer);
        if (live.size() >= MAX_PENDING_PER_ALLOCATION || live.putIfAbsent(peer, connection) != null) {
            channel.close();
            return;
        }
        register(session, connection, channel);
        StunMessage attempt = StunMessage.builder(MessageType.indication(Method.CONNECTION_ATTEMPT),
                        TransactionId.random())
                .add(new XorPeerAddress(peer))
                .add(new ConnectionId(connection.id))
                .build();
        ClientLink link = session.link();
        link.write(Unpooled.wrappedBuffer(StunEncoder.encode(attempt, Integrity.none(), true)));
        link.channel().flush();
    }

    /** A TCP allocation was made: its peer connections are kept from now on (until {@link #forget}). */
    void opened(Allocation allocation, RelaySession session) {
        connections(allocation, session);
    }

    /** The allocation's peer connections, or null when it is no TCP allocation or was forgotten. */
    AllocationConnections connections(Allocation allocation) {
        return byAllocation.get(allocation.id());
    }

    /** Draws one Connect from the server-wide budget ({@code limits.tcp-relay.connects-per-second}). */
    boolean admitConnect(long nowNanos) {
        return serverConnects.tryAcquire(nowNanos);
    }

    /** Connects from the relayed address {@code local} to {@code peer} on {@code loop}. */
    ChannelFuture connect(io.netty.channel.EventLoop loop, InetSocketAddress local, InetSocketAddress peer) {
        return sockets.connect(loop, local, peer, CONNECT_TIMEOUT_MILLIS);
    }

    /**
     * Takes the unbound peer connection {@code id} for a ConnectionBind: null when no such connection waits (never
     * made, already bound, or timed out).
     */
    PeerConnection unbound(int id) {
        return pending.get(id);
    }

    /** Binds {@code connection} (returned by {@link #unbound}): false when another ConnectionBind took it first. */
    boolean bind(PeerConnection connection) {
        if (!pending.remove(connection.id, connection)) {
            return false;
        }
        connection.timeout.cancel(false);
        return true;
    }

    /**
     * Makes the client connection {@code data} the data connection of {@code connection}: the STUN handlers leave its
     * pipeline and bytes flow as they are both ways. Bytes the frame decoder already buffered after the ConnectionBind
     * go to the peer.
     */
    void splice(Channel data, PeerConnection connection) {
        io.netty.channel.ChannelPipeline pipeline = data.pipeline();
        ChannelHandler server = pipeline.get("stun");
        if (server != null) {
            pipeline.remove(server);
        }
        for (String name : new String[] {"idle", "backpressure"}) {
            if (pipeline.get(name) != null) {
                pipeline.remove(name);
            }
        }
        TcpRelaySockets.pipe(data, connection.channel);
        if (pipeline.get("framer") != null) {
            pipeline.remove("framer");
        }
    }

    /** Gives {@code registered} (already in its allocation's table) its channel and a CONNECTION-ID. */
    void register(RelaySession session, PeerConnection registered, Channel channel) {
        registered.channel = channel;
        do {
            registered.id = random.nextInt();
        } while (pending.putIfAbsent(registered.id, registered) != null);
        InetSocketAddress peer = registered.peer;
        Map<InetSocketAddress, PeerConnection> live = connections(registered.allocation, session).byPeer;
        session.own(channel);
        registered.timeout = channel.eventLoop().schedule(() -> {
            if (pending.remove(registered.id, registered)) {
                LOG.debug("peer connection {} not bound within {} s; closed", peer, BIND_TIMEOUT_SECONDS);
                channel.close();
            }
        }, BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        channel.closeFuture().addListener(f -> {
            pending.remove(registered.id, registered);
            registered.timeout.cancel(false);
            live.remove(peer, registered);
        });
    }

    private AllocationConnections connections(Allocation allocation, RelaySession session) {
        return byAllocation.computeIfAbsent(allocation.id(),
                k -> new AllocationConnections(session, limits.connectsPerSecondPerAllocation()));
    }

    /**
     * Closes the allocation's peer connections (bound or not) to peers {@code denied} accepts: a reload that denies
     * a peer ends the RFC 6062 connections to it. Runs on the allocation's loop.
     *
     * @return the number of connections closed
     */
    int closeDenied(Allocation allocation, Predicate<InetAddress> denied) {
        AllocationConnections live = byAllocation.get(allocation.id());
        int n = 0;
        if (live != null) {
            for (PeerConnection connection : live.byPeer.values()) {
                if (denied.test(connection.peer.getAddress())) {
                    connection.channel.close();
                    n++;
                }
            }
        }
        return n;
    }

    /** Forgets an allocation's bookkeeping; its connections are closed by its {@link RelaySession}. */
    void forget(Allocation allocation) {
        byAllocation.remove(allocation.id());
    }

}
