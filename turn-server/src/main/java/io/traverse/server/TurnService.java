package io.traverse.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.traverse.net.IpAddresses;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.transport.ClientLink;
import io.traverse.transport.RelaySession;
import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.BindResult;
import io.traverse.turn.EndReason;
import io.traverse.turn.PeerPolicy;
import io.traverse.turn.TurnClock;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.OptionalLong;

/**
 * The TURN methods of RFC 8656 other than Allocate ({@link AllocateHandler}): Refresh (§8), CreatePermission
 * (§9), Send indications (§10) and ChannelBind (§11). Every request is authenticated first (RFC 8489 §9.2). All
 * work for a client runs on the client's event loop, where its allocation lives.
 */
final class TurnService {
    private final Authenticator authenticator;
    private final AllocationRegistry registry;
    private volatile PeerPolicy policy;
    private final TurnClock clock;
    private final TraverseMetrics metrics;
    private final Responder responder;
    private final AllocateHandler allocateHandler;
    private final TcpRelay tcpRelay;

    TurnService(Authenticator authenticator, AllocationRegistry registry, PeerPolicy policy, TurnClock clock,
            TraverseMetrics metrics, Responder responder, AllocateHandler allocateHandler, TcpRelay tcpRelay) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.policy = policy;
        this.clock = clock;
        this.metrics = metrics;
        this.responder = responder;
        this.allocateHandler = allocateHandler;
        this.tcpRelay = tcpRelay;
    }

    PeerPolicy policy() {
        return policy;
    }

    /** Replaces the peer policy (reload); requests already checked keep their answer. */
    void policy(PeerPolicy policy) {
        this.policy = policy;
    }

    /** Whether {@code method} is a TURN request handled here. */
    static boolean handles(Method method) {
        return method.equals(Method.ALLOCATE) || method.equals(Method.REFRESH)
                || method.equals(Method.CREATE_PERMISSION) || method.equals(Method.CHANNEL_BIND)
                || method.equals(Method.CONNECT) || method.equals(Method.CONNECTION_BIND);
    }

    void onRequest(DecodedMessage decoded, ClientLink link) {
        Authenticator.Result result = authenticator.authenticate(decoded, link.fiveTuple().client(),
                transportTag(link));
        if (result instanceof Authenticator.Dropped) {
            metrics.dropped(DropReason.RATE_LIMITED);
            metrics.authFailed(((Authenticator.Dropped) result).reason());
            return;
        }
        if (result instanceof Authenticator.Rejected) {
            Authenticator.Rejected rejected = (Authenticator.Rejected) result;
            metrics.authFailed(rejected.reason());
            responder.respond(link, decoded, rejected.response(), rejected.integrity());
            return;
        }
        Authenticator.Authenticated auth = (Authenticator.Authenticated) result;
        metrics.authSucceeded();
        Method method = decoded.message().type().method();
        if (method.equals(Method.ALLOCATE)) {
            allocateHandler.allocate(decoded, link, auth);
            return;
        }
        if (method.equals(Method.CONNECTION_BIND)) {
            // RFC 6062 §5.4: arrives on a new connection that has no allocation of its own.
            if (registry.find(link.fiveTuple()) != null) {
                responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            } else {
                tcpRelay.connectionBind(decoded, link, auth);
            }
            return;
        }
        Allocation allocation = registry.find(link.fiveTuple());
        StunMessage request = decoded.message();
        long now = clock.nanos();
        if (allocation == null || allocation.isExpired(now)) {
            // RFC 8656 §8.2, §9.2, §11.2: no allocation on this 5-tuple → 437.
            responder.error(link, decoded, auth, ErrorCode.ALLOCATION_MISMATCH);
            return;
        }
        if (!allocation.isOwnedBy(auth.username())) {
            // RFC 8656 §5: requests on an allocation's 5-tuple must use the username that created it → 441.
            responder.error(link, decoded, auth, ErrorCode.WRONG_CREDENTIALS);
            return;
        }
        boolean tcpAllocation = ((RelaySession) allocation.attachment()).isTcp();
        if (method.equals(Method.REFRESH)) {
            refresh(decoded, link, auth, allocation, now);
        } else if (method.equals(Method.CREATE_PERMISSION)) {
            createPermission(decoded, link, auth, allocation, now);
        } else if (method.equals(Method.CONNECT)) {
            if (!tcpAllocation) {
                // RFC 6062 §5.2: Connect on a UDP allocation → 400.
                responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            } else {
                tcpRelay.connect(decoded, link, auth, allocation);
            }
        } else if (tcpAllocation) {
            // Channels belong to UDP relaying; a TCP allocation carries data on its data connections (RFC 6062).
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
        } else {
            channelBind(decoded, link, auth, allocation, now);
        }
    }

    /** RFC 8656 §8.2. */
    private void refresh(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth,
            Allocation allocation, long now) {
        StunMessage request = decoded.message();
        RequestedAddressFamily family = request.attribute(RequestedAddressFamily.class).orElse(null);
        if (family != null && !hasFamily(allocation, family.family() == RequestedAddressFamily.IPV6)) {
            // "If the REQUESTED-ADDRESS-FAMILY ... does not match the address family of the allocation, the server
            //  MUST reply with a 443 (Peer Address Family Mismatch) error response."
            responder.error(link, decoded, auth, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
            return;
        }
        OptionalLong requested = request.attribute(Lifetime.class)
                .map(l -> OptionalLong.of(l.seconds())).orElse(OptionalLong.empty());
        long granted = allocation.refresh(requested, now);
        if (granted == 0) {
            // "If the desired lifetime is 0, then the server MUST delete the allocation."
            allocateHandler.destroy(allocation, EndReason.DELETED_BY_CLIENT);
        }
        responder.respond(link, decoded, StunMessage.successResponseTo(request).add(new Lifetime(granted)),
                auth.integrity());
    }

    /** RFC 8656 §9.2: every XOR-PEER-ADDRESS is checked before any permission is installed. */
    private void createPermission(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth,
            Allocation allocation, long now) {
        StunMessage request = decoded.message();
        List<XorPeerAddress> peers = request.attributes(XorPeerAddress.class);
        if (peers.isEmpty()) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        for (XorPeerAddress peer : peers) {
            ErrorCode refusal = checkPeer(allocation, peer.address());
            if (refusal != null) {
                responder.error(link, decoded, auth, refusal);
                return;
            }
        }
        for (XorPeerAddress peer : peers) {
            if (!allocation.installPermission(peer.address().getAddress(), now)) {
                responder.error(link, decoded, auth, ErrorCode.INSUFFICIENT_CAPACITY);
                return;
            }
        }
        responder.respond(link, decoded, StunMessage.successResponseTo(request), auth.integrity());
    }

    /** RFC 8656 §11.2. */
    private void channelBind(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth,
            Allocation allocation, long now) {
        StunMessage request = decoded.message();
        ChannelNumber number = request.attribute(ChannelNumber.class).orElse(null);
        XorPeerAddress peer = request.attribute(XorPeerAddress.class).orElse(null);
        if (number == null || peer == null) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        ErrorCode refusal = checkPeer(allocation, peer.address());
        if (refusal != null) {
            responder.error(link, decoded, auth, refusal);
            return;
        }
        BindResult result = allocation.bindChannel(number.number(), peer.address(), now);
        if (!result.isSuccess()) {
            responder.error(link, decoded, auth, ErrorCode.valueOf(result.errorCode()));
            return;
        }
        responder.respond(link, decoded, StunMessage.successResponseTo(request), auth.integrity());
    }

    /** RFC 8656 §10.2: Send indications are never answered; anything wrong drops them silently. */
    void onSend(StunMessage indication, ClientLink link) {
        Allocation allocation = registry.find(link.fiveTuple());
        long now = clock.nanos();
        if (allocation == null || allocation.isExpired(now)) {
            metrics.dropped(DropReason.NO_ALLOCATION);
            return;
        }
        XorPeerAddress peer = indication.attribute(XorPeerAddress.class).orElse(null);
        Data data = indication.attribute(Data.class).orElse(null);
        if (peer == null || data == null) {
            metrics.dropped(DropReason.MALFORMED);
            return;
        }
        InetSocketAddress target = peer.address();
        if (IpAddresses.isIpv4Mapped(target.getAddress()) || !allocation.supportsPeerFamily(target.getAddress())
                || !policy.isAllowed(target.getAddress())) {
            metrics.dropped(DropReason.PEER_DENIED);
            return;
        }
        if (!allocation.hasPermission(target.getAddress(), now)) {
            metrics.dropped(DropReason.NO_PERMISSION);
            return;
        }
        RelaySession session = (RelaySession) allocation.attachment();
        if (session.isTcp()) {
            metrics.dropped(DropReason.UNEXPECTED_CLASS);
            return;
        }
        Channel relay = session.relayFor(target.getAddress());
        byte[] payload = data.data();
        relay.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(payload), target), relay.voidPromise());
        metrics.relayed(true, payload.length);
    }

    /** A stream client went away: its allocation goes with it (RFC 8656 §3.1, TCP/TLS 5-tuples). */
    void onClientClosed(ClientLink link) {
        Allocation allocation = registry.find(link.fiveTuple());
        if (allocation != null) {
            allocateHandler.destroy(allocation, EndReason.CONNECTION_CLOSED);
        }
    }

    /** 443 when the allocation has no relay of the peer's family; 403 when policy forbids the peer. */
    private ErrorCode checkPeer(Allocation allocation, InetSocketAddress peer) {
        if (IpAddresses.isIpv4Mapped(peer.getAddress())) {
            // An IPv4-mapped IPv6 peer (::ffff:a.b.c.d) cannot be reached from an IPv6-only relay socket, and
            // relaying it over IPv4 would bypass the family rules of RFC 8656 §9.1: refused like a denied peer.
            return ErrorCode.FORBIDDEN;
        }
        if (!allocation.supportsPeerFamily(peer.getAddress())) {
            return ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH;
        }
        if (!policy.isAllowed(peer.getAddress())) {
            return ErrorCode.FORBIDDEN;
        }
        return null;
    }

    private static boolean hasFamily(Allocation allocation, boolean ipv6) {
        for (InetSocketAddress relay : allocation.relayAddresses()) {
            if ((relay.getAddress() instanceof Inet6Address) == ipv6) {
                return true;
            }
        }
        return false;
    }


    static String transportTag(ClientLink link) {
        return link.fiveTuple().protocol().name();
    }
}
