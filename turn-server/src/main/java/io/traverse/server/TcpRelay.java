package io.traverse.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.ScheduledFuture;
import io.traverse.config.LimitsConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.metrics.TraverseMetrics.Limit;
import io.traverse.net.IpAddresses;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ConnectionId;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.transport.ClientLink;
import io.traverse.transport.RelaySession;
import io.traverse.transport.TcpRelaySockets;
import io.traverse.turn.Allocation;
import io.traverse.turn.PeerPolicy;
import io.traverse.turn.TurnClock;
import io.traverse.util.TokenBucket;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 6062 TCP relaying: Connect (§5.2), ConnectionAttempt for peers that connect in (§5.3) and ConnectionBind
 * (§5.4). A peer connection waits, unread, for the client's data connection; unbound ones are closed after 30 s.
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
    private static final class PeerConnection {
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

    /** An allocation's peer connections (connecting, unbound and bound) by peer, and its Connect budget. */
    private static final class AllocationConnections {
        final Map<InetSocketAddress, PeerConnection> byPeer = new ConcurrentHashMap<>();
        final TokenBucket connects;

        AllocationConnections(int connectsPerSecond) {
            this.connects = new TokenBucket(connectsPerSecond);
        }
    }

    private final TcpRelaySockets sockets;
    private final Supplier<PeerPolicy> policy;
    private final Responder responder;
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

    TcpRelay(TcpRelaySockets sockets, Supplier<PeerPolicy> policy, Responder responder, TurnClock clock,
            TraverseMetrics metrics, LimitsConfig.TcpRelay limits) {
        this.sockets = sockets;
        this.policy = policy;
        this.responder = responder;
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
        Map<InetSocketAddress, PeerConnection> live = connections(allocation).byPeer;
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

    /** §5.2 Connect: the server connects from the relayed address to the peer. */
    void connect(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth, Allocation allocation) {
        StunMessage request = decoded.message();
        XorPeerAddress peer = request.attribute(XorPeerAddress.class).orElse(null);
        if (peer == null) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        InetSocketAddress target = peer.address();
        if (!allocation.supportsPeerFamily(target.getAddress())) {
            responder.error(link, decoded, auth, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
            return;
        }
        if (IpAddresses.isIpv4Mapped(target.getAddress()) || !policy.get().isAllowed(target.getAddress())) {
            responder.error(link, decoded, auth, ErrorCode.FORBIDDEN);
            return;
        }
        AllocationConnections connections = connections(allocation);
        long now = clock.nanos();
        if (!connections.connects.tryAcquire(now)) {
            // Each Connect opens a TCP connection from the server: limits.tcp-relay bounds how fast.
            metrics.refused(Limit.CONNECT_RATE_ALLOCATION);
            responder.error(link, decoded, auth, ErrorCode.INSUFFICIENT_CAPACITY);
            return;
        }
        if (!serverConnects.tryAcquire(now)) {
            metrics.refused(Limit.CONNECT_RATE_SERVER);
            responder.error(link, decoded, auth, ErrorCode.INSUFFICIENT_CAPACITY);
            return;
        }
        Map<InetSocketAddress, PeerConnection> live = connections.byPeer;
        // The slot is taken now, before connecting, so Connects pipelined behind this one see it.
        PeerConnection connection = new PeerConnection(allocation, target);
        if (live.putIfAbsent(target, connection) != null) {
            // "If a connection to the peer already exists ... 446 (Connection Already Exists)."
            responder.error(link, decoded, auth, ErrorCode.CONNECTION_ALREADY_EXISTS);
            return;
        }
        if (live.size() > MAX_PENDING_PER_ALLOCATION) {
            live.remove(target, connection);
            responder.error(link, decoded, auth, ErrorCode.INSUFFICIENT_CAPACITY);
            return;
        }
        RelaySession session = (RelaySession) allocation.attachment();
        InetSocketAddress local = allocation.relayAddressFor(target.getAddress());
        ChannelFuture future = sockets.connect(link.eventLoop(), local, target, CONNECT_TIMEOUT_MILLIS);
        future.addListener(f -> {
            if (!f.isSuccess() || allocation.isExpired(clock.nanos())) {
                // "If the connection attempt fails or times out, 447 (Connection Timeout or Failure)."
                live.remove(target, connection);
                future.channel().close();
                LOG.debug("Connect {} → {} failed: {}", local, target, f.cause() == null ? "allocation gone"
                        : f.cause().toString());
                responder.error(link, decoded, auth, ErrorCode.CONNECTION_TIMEOUT_OR_FAILURE);
                link.channel().flush();
                return;
            }
            allocation.installPermission(target.getAddress(), clock.nanos());
            register(session, connection, future.channel());
            responder.respond(link, decoded, StunMessage.successResponseTo(request)
                    .add(new ConnectionId(connection.id)), auth.integrity());
            link.channel().flush();
        });
    }

    /** §5.4 ConnectionBind on a new client connection: it becomes the data connection of a peer connection. */
    void connectionBind(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth) {
        StunMessage request = decoded.message();
        ConnectionId id = request.attribute(ConnectionId.class).orElse(null);
        if (!link.isStream() || id == null) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        PeerConnection connection = pending.get(id.id());
        if (connection == null) {
            // Unknown or expired CONNECTION-ID → 400.
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        if (!connection.allocation.isOwnedBy(auth.username())) {
            responder.error(link, decoded, auth, ErrorCode.WRONG_CREDENTIALS);
            return;
        }
        if (!pending.remove(id.id(), connection)) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        connection.timeout.cancel(false);
        responder.respond(link, decoded, StunMessage.successResponseTo(request), auth.integrity());
        Channel data = link.channel();
        data.flush();
        // From here on the data connection carries raw bytes: the STUN handlers leave the pipeline. Bytes the
        // frame decoder already buffered after the ConnectionBind go to the peer.
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
    private void register(RelaySession session, PeerConnection registered, Channel channel) {
        registered.channel = channel;
        do {
            registered.id = random.nextInt();
        } while (pending.putIfAbsent(registered.id, registered) != null);
        InetSocketAddress peer = registered.peer;
        Map<InetSocketAddress, PeerConnection> live = connections(registered.allocation).byPeer;
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

    private AllocationConnections connections(Allocation allocation) {
        return byAllocation.computeIfAbsent(allocation.id(),
                k -> new AllocationConnections(limits.connectsPerSecondPerAllocation()));
    }

    /** Forgets an allocation's bookkeeping; its connections are closed by its {@link RelaySession}. */
    void forget(Allocation allocation) {
        byAllocation.remove(allocation.id());
    }

}
