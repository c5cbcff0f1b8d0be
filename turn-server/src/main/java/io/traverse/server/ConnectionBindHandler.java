package io.traverse.server;

import io.netty.channel.Channel;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.ConnectionId;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.transport.ClientLink;
import io.traverse.turn.AllocationRegistry;
import java.util.Optional;

/**
 * ConnectionBind (RFC 6062 §5.4), on a new client connection that becomes the data connection of a peer connection.
 * "When a server receives a ConnectionBind request, it processes the request as follows."
 */
record ConnectionBindHandler(TcpRelay relay, AllocationRegistry registry, Responder responder) {
    /**
     * The error the request gets before its CONNECTION-ID is looked up, or empty.
     *
     * @param streamClient whether it arrived over TCP or TLS
     * @param hasAllocation whether the connection it arrived on holds an allocation (a control connection)
     */
    static Optional<ErrorCode> check(StunMessage request, boolean streamClient, boolean hasAllocation) {
        // RFC 6062 §5.4 arrives on a new connection that has no allocation of its own: on a control connection → 400.
        // "If the client connection transport is not TCP or TLS, the server MUST return a 400 (Bad Request) error."
        // "If the request does not contain the CONNECTION-ID attribute, or if this attribute does not refer to an
        //  existing pending connection, the server MUST return a 400 (Bad Request) error." (The look-up is below.)
        if (hasAllocation || !streamClient || request.attribute(ConnectionId.class).isEmpty()) {
            return Optional.of(ErrorCode.BAD_REQUEST);
        }
        return Optional.empty();
    }

    void connectionBind(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth) {
        StunMessage request = decoded.message();
        if (responder.refuse(link, decoded, auth, check(request, link.isStream(), registry.find(link.fiveTuple()) != null))) {
            return;
        }
        TcpRelay.PeerConnection connection = relay.unbound(request.attribute(ConnectionId.class).orElseThrow().id());
        if (connection == null) {
            // Unknown, already bound or expired CONNECTION-ID → 400.
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        if (!connection.allocation.isOwnedBy(auth.username())) {
            // RFC 8656 §5: the data connection must use the credentials of the allocation → 441.
            responder.error(link, decoded, auth, ErrorCode.WRONG_CREDENTIALS);
            return;
        }
        if (!relay.bind(connection)) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        responder.respond(link, decoded, StunMessage.successResponseTo(request), auth.integrity());
        Channel data = link.channel();
        data.flush();
        // "Otherwise, the client connection is now called a client data connection. Data received on it MUST be sent
        //  as-is to the associated peer data connection."
        // "Data received on the associated peer data connection MUST be sent as-is on this client data connection."
        relay.splice(data, connection);
    }
}
