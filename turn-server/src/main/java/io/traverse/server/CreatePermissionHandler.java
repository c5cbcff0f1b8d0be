package io.traverse.server;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.transport.ClientLink;
import io.traverse.turn.Allocation;
import io.traverse.turn.PeerPolicy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CreatePermission (RFC 8656 §10.2). "When the server receives the CreatePermission request, it processes as per
 * Section 5 plus the specific rules mentioned here." Section 5 is checked by {@link TurnService}.
 */
record CreatePermissionHandler(Responder responder, LivePolicy policy) {
    /** The error the request gets before any permission is installed, or empty. Every peer is checked first. */
    static Optional<ErrorCode> check(StunMessage request, Allocation allocation, PeerPolicy policy) {
        // "The message is checked for validity. The CreatePermission request MUST contain at least one
        //  XOR-PEER-ADDRESS attribute and MAY contain multiple such attributes. If no such attribute exists, or if any
        //  of these attributes are invalid, then a 400 (Bad Request) error is returned. If the request is valid, but
        //  the server is unable to satisfy the request due to some capacity limit or similar, then a 508
        //  (Insufficient Capacity) error is returned." (508: the permission cap, when installing)
        List<XorPeerAddress> peers = request.attributes(XorPeerAddress.class);
        if (peers.isEmpty()) {
            return Optional.of(ErrorCode.BAD_REQUEST);
        }
        // 443 for a peer family the allocation does not relay, 403 for a peer the policy denies (PeerAddressCheck).
        for (XorPeerAddress peer : peers) {
            Optional<ErrorCode> refusal = PeerAddressCheck.refusal(allocation, peer.address(), policy);
            if (refusal.isPresent()) {
                return refusal;
            }
        }
        return Optional.empty();
    }

    void createPermission(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth,
            Allocation allocation, long now) {
        StunMessage request = decoded.message();
        if (responder.refuse(link, decoded, auth, check(request, allocation, policy.get()))) {
            return;
        }
        // "If the message is valid and the server is capable of carrying out the request, then the server installs or
        //  refreshes a permission for the IP address contained in each XOR-PEER-ADDRESS attribute as described in
        //  Section 9. The port portion of each attribute is ignored and may be any arbitrary value."
        List<XorPeerAddress> peers = request.attributes(XorPeerAddress.class);
        List<InetAddress> addresses = new ArrayList<>(peers.size());
        for (XorPeerAddress peer : peers) {
            addresses.add(peer.address().getAddress());
        }
        if (!allocation.installPermissions(addresses, now)) {
            // All or none: over the permission cap → 508, nothing installed.
            responder.error(link, decoded, auth, ErrorCode.INSUFFICIENT_CAPACITY);
            return;
        }
        // "The server then responds with a CreatePermission success response. There are no mandatory attributes in
        //  the success response."
        responder.respond(link, decoded, StunMessage.successResponseTo(request), auth.integrity());
    }
}
