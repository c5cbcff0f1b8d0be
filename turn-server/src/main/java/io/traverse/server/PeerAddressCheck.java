package io.traverse.server;

import io.traverse.net.IpAddresses;
import io.traverse.stun.ErrorCode;
import io.traverse.turn.Allocation;
import io.traverse.turn.PeerPolicy;
import java.net.InetSocketAddress;
import java.util.Optional;

/** The XOR-PEER-ADDRESS checks CreatePermission (RFC 8656 §10.2) and ChannelBind (§12.2) share. */
final class PeerAddressCheck {
    private PeerAddressCheck() {
    }

    /**
     * Why {@code peer} is refused for {@code allocation}: 403 when the peer policy forbids it, 443 when the allocation
     * has no relayed address of its family; empty when it may be used.
     */
    static Optional<ErrorCode> refusal(Allocation allocation, InetSocketAddress peer, PeerPolicy policy) {
        if (IpAddresses.isIpv4Mapped(peer.getAddress())) {
            // An IPv4-mapped IPv6 peer (::ffff:a.b.c.d) cannot be reached from an IPv6-only relay socket, and
            // relaying it over IPv4 would bypass the family rules of RFC 8656 §9.1: refused like a denied peer.
            return Optional.of(ErrorCode.FORBIDDEN);
        }
        // "If an XOR-PEER-ADDRESS attribute contains an address of an address family that is not the same as that
        //  of a relayed transport address for the allocation, the server MUST generate an error response with the
        //  443 (Peer Address Family Mismatch) response code."
        if (!allocation.supportsPeerFamily(peer.getAddress())) {
            return Optional.of(ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
        }
        // "The server MAY impose restrictions on the IP address allowed in the XOR-PEER-ADDRESS attribute; if a value
        //  is not allowed, the server rejects the request with a 403 (Forbidden) error."
        if (!policy.isAllowed(peer.getAddress())) {
            return Optional.of(ErrorCode.FORBIDDEN);
        }
        return Optional.empty();
    }
}
