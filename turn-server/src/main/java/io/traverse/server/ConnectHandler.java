package io.traverse.server;

import io.netty.channel.ChannelFuture;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.Limit;
import io.traverse.net.IpAddresses;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.ConnectionId;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.transport.ClientLink;
import io.traverse.turn.Allocation;
import io.traverse.turn.PeerPolicy;
import io.traverse.turn.TurnClock;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connect (RFC 6062 §5.2): the server opens a TCP connection from the relayed address to the peer. "When the server
 * receives a Connect request, it processes the request as follows." The allocation's existence (437) and owner (441)
 * are checked by {@link TurnService}; the peer connections live in {@link TcpRelay}.
 */
record ConnectHandler(TcpRelay relay, LivePolicy policy, Responder responder, TurnClock clock,
        TraverseMetrics metrics) {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectHandler.class);

    /** The error the request gets before any connection is attempted, or empty. */
    static Optional<ErrorCode> check(StunMessage request, Allocation allocation, PeerPolicy policy) {
        if (!allocation.relayHandle().isTcp()) {
            // Connect belongs to RFC 6062 TCP allocations; on a UDP allocation → 400.
            return Optional.of(ErrorCode.BAD_REQUEST);
        }
        // "If the request does not contain an XOR-PEER-ADDRESS attribute, or if such attribute is invalid, the server
        //  MUST return a 400 (Bad Request) error." (Port 0 cannot be connected to.)
        Optional<XorPeerAddress> peer = request.attribute(XorPeerAddress.class);
        if (peer.isEmpty() || peer.get().address().getPort() == 0) {
            return Optional.of(ErrorCode.BAD_REQUEST);
        }
        InetSocketAddress target = peer.get().address();
        // RFC 8656 §5 and RFC 6156: a peer of a family the allocation does not relay → 443.
        if (!allocation.supportsPeerFamily(target.getAddress())) {
            return Optional.of(ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
        }
        // "If the new connection is forbidden by local policy, the server MUST reject the request with a 403
        //  (Forbidden) error."
        if (IpAddresses.isIpv4Mapped(target.getAddress()) || !policy.isAllowed(target.getAddress())) {
            return Optional.of(ErrorCode.FORBIDDEN);
        }
        return Optional.empty();
    }

    void connect(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth, Allocation allocation) {
        StunMessage request = decoded.message();
        if (responder.refuse(link, decoded, auth, check(request, allocation, policy.get()))) {
            return;
        }
        InetSocketAddress target = request.attribute(XorPeerAddress.class).orElseThrow().address();
        TcpRelay.AllocationConnections connections = relay.connections(allocation);
        if (connections == null) {
            // "If the request is received on a TCP connection for which no allocation exists, the server MUST return
            //  a 437 (Allocation Mismatch) error." (The allocation ended while this request waited.)
            responder.error(link, decoded, auth, ErrorCode.ALLOCATION_MISMATCH);
            return;
        }
        long now = clock.nanos();
        if (!connections.connects.tryAcquire(now)) {
            // Each Connect opens a TCP connection from the server: limits.tcp-relay bounds how fast → 508.
            metrics.refused(Limit.CONNECT_RATE_ALLOCATION);
            responder.error(link, decoded, auth, ErrorCode.INSUFFICIENT_CAPACITY);
            return;
        }
        if (!relay.admitConnect(now)) {
            metrics.refused(Limit.CONNECT_RATE_SERVER);
            responder.error(link, decoded, auth, ErrorCode.INSUFFICIENT_CAPACITY);
            return;
        }
        // "If the server is currently processing a Connect request for this allocation with the same
        //  XOR-PEER-ADDRESS, it MUST return a 446 (Connection Already Exists) error."
        // "If the server has already successfully processed a Connect request for this allocation with the same
        //  XOR-PEER-ADDRESS, and the resulting client and peer data connections are either pending or active, it
        //  MUST return a 446 (Connection Already Exists) error."
        // The slot is taken now, before connecting, so Connects pipelined behind this one see it.
        Map<InetSocketAddress, TcpRelay.PeerConnection> live = connections.byPeer;
        TcpRelay.PeerConnection connection = new TcpRelay.PeerConnection(allocation, target);
        if (live.putIfAbsent(target, connection) != null) {
            responder.error(link, decoded, auth, ErrorCode.CONNECTION_ALREADY_EXISTS);
            return;
        }
        if (live.size() > TcpRelay.MAX_PENDING_PER_ALLOCATION) {
            live.remove(target, connection);
            responder.error(link, decoded, auth, ErrorCode.INSUFFICIENT_CAPACITY);
            return;
        }
        // "Otherwise, the server MUST initiate an outgoing TCP connection. The local endpoint is the relayed
        //  transport address associated with the allocation. The remote endpoint is the one indicated by the
        //  XOR-PEER-ADDRESS attribute. If the connection attempt fails or times out, the server MUST return a 447
        //  (Connection Timeout or Failure) error. The timeout value MUST be at least 30 seconds."
        InetSocketAddress local = allocation.relayAddressFor(target.getAddress());
        ChannelFuture future = relay.connect(link.eventLoop(), local, target);
        future.addListener(f -> {
            if (!f.isSuccess() || allocation.isExpired(clock.nanos())) {
                live.remove(target, connection);
                future.channel().close();
                LOG.debug("Connect {} → {} failed: {}", local, target, f.cause() == null ? "allocation gone"
                        : f.cause().toString());
                responder.error(link, decoded, auth, ErrorCode.CONNECTION_TIMEOUT_OR_FAILURE);
                link.channel().flush();
                return;
            }
            allocation.installPermission(target.getAddress(), clock.nanos());
            relay.register(connections.session, connection, future.channel());
            // "The server MUST include the CONNECTION-ID attribute in the Connect success response. The attribute's
            //  value MUST uniquely identify the peer data connection."
            responder.respond(link, decoded, StunMessage.successResponseTo(request)
                    .add(new ConnectionId(connection.id)), auth.integrity());
            link.channel().flush();
        });
    }
}
