package io.traverse.server;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.transport.ClientLink;
import io.traverse.turn.Allocation;
import io.traverse.turn.BindResult;
import io.traverse.turn.PeerPolicy;
import java.util.Optional;

/**
 * ChannelBind (RFC 8656 §12.2). "When the server receives a ChannelBind request, it processes as per Section 5 plus
 * the specific rules mentioned here." Section 5 is checked by {@link TurnService}. The channel number range and the
 * number/peer pairing rules are {@link Allocation#bindChannel}'s.
 */
record ChannelBindHandler(Responder responder, LivePolicy policy) {
    /** The error the request gets before any channel is bound, or empty. */
    static Optional<ErrorCode> check(StunMessage request, Allocation allocation, PeerPolicy policy) {
        if (allocation.relayHandle().isTcp()) {
            // Channels belong to UDP relaying; an RFC 6062 TCP allocation carries data on its data connections → 400.
            return Optional.of(ErrorCode.BAD_REQUEST);
        }
        // "The server checks the following: The request contains both a CHANNEL-NUMBER and an XOR-PEER-ADDRESS
        //  attribute; ... If any of these tests fail, the server replies with a 400 (Bad Request) error."
        // Port 0 names no transport address a channel could be bound to (it cannot be sent to): 400 as malformed.
        Optional<ChannelNumber> number = request.attribute(ChannelNumber.class);
        Optional<XorPeerAddress> peer = request.attribute(XorPeerAddress.class);
        if (number.isEmpty() || peer.isEmpty() || peer.get().address().getPort() == 0) {
            return Optional.of(ErrorCode.BAD_REQUEST);
        }
        // 443 for a peer family the allocation does not relay, 403 for a peer the policy denies ("The server MAY
        // impose restrictions on the IP address and port values allowed in the XOR-PEER-ADDRESS attribute; if a value
        // is not allowed, the server rejects the request with a 403 (Forbidden) error.").
        return PeerAddressCheck.refusal(allocation, peer.get().address(), policy);
    }

    void channelBind(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth,
            Allocation allocation, long now) {
        StunMessage request = decoded.message();
        if (responder.refuse(link, decoded, auth, check(request, allocation, policy.get()))) {
            return;
        }
        // "The channel number is in the range 0x4000 through 0x4FFF (inclusive); The channel number is not currently
        //  bound to a different transport address (same transport address is OK); The transport address is not
        //  currently bound to a different channel number." → 400. "If the request is valid, but the server is unable
        //  to fulfill the request due to some capacity limit or similar, the server replies with a 508 (Insufficient
        //  Capacity) error."
        // "If the server can satisfy the request, then the server creates or refreshes the channel binding using the
        //  channel number in the CHANNEL-NUMBER attribute and the transport address in the XOR-PEER-ADDRESS
        //  attribute. The server also installs or refreshes a permission for the IP address in the XOR-PEER-ADDRESS
        //  attribute as described in Section 9."
        int number = request.attribute(ChannelNumber.class).orElseThrow().number();
        BindResult result = allocation.bindChannel(number,
                request.attribute(XorPeerAddress.class).orElseThrow().address(), now);
        if (!result.isSuccess()) {
            responder.error(link, decoded, auth, ErrorCode.valueOf(result.errorCode()));
            return;
        }
        // "Otherwise, the server replies with a ChannelBind success response. There are no required attributes in a
        //  successful ChannelBind response."
        responder.respond(link, decoded, StunMessage.successResponseTo(request), auth.integrity());
    }
}
