package io.traverse.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.traverse.stun.AttributeType;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.ChangeRequest;
import io.traverse.stun.attr.OtherAddress;
import io.traverse.stun.attr.Padding;
import io.traverse.stun.attr.ResponseOrigin;
import io.traverse.stun.attr.ResponsePort;
import io.traverse.stun.attr.UnknownAttributes;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.transport.ClientLink;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binding requests (RFC 8489 §6.3.1): the success response carries the client's reflexive transport address as
 * XOR-MAPPED-ADDRESS only. MAPPED-ADDRESS is for RFC 3489-era clients, whose requests have no magic cookie; the
 * decoder drops those, so no answered request needs it, and leaving it out keeps a response to a (possibly
 * spoofed) UDP request small: 32 bytes for a 20-byte request over IPv4, 44 over IPv6 (docs/security.md). With
 * RFC 5780 enabled it adds RESPONSE-ORIGIN and OTHER-ADDRESS and honours CHANGE-REQUEST, RESPONSE-PORT and
 * PADDING.
 */
record BindingHandler(Responder responder, NatDiscovery natDiscovery, UnauthenticatedAnswers unauthenticated) {
    private static final Logger LOG = LoggerFactory.getLogger(BindingHandler.class);
    /** PADDING echoed in a response is capped: the request already carried as much, so no amplification. */
    private static final int MAX_PADDING = 1500;

    void onBinding(DecodedMessage decoded, ClientLink link) {
        StunMessage request = decoded.message();
        InetSocketAddress client = link.fiveTuple().client();
        LOG.debug("binding request from {}", client);
        InetSocketAddress local = link.fiveTuple().server();
        NatDiscovery.Quad quad = link.isStream() ? null : natDiscovery.quadOf(local);
        Optional<ChangeRequest> change = request.attribute(ChangeRequest.class);
        boolean changeIp = change.map(ChangeRequest::changeIp).orElse(false);
        boolean changePort = change.map(ChangeRequest::changePort).orElse(false);
        Optional<ResponsePort> responsePort = request.attribute(ResponsePort.class);
        if ((changeIp || changePort || responsePort.isPresent()) && quad == null) {
            // RFC 5780 §6.1/§7.2: a server without an alternate address (or over a stream) cannot honour these:
            // 420 listing them, as a server that does not know them would (rate limited like every error answer
            // before authentication).
            if (!unauthenticated.tryAnswer(link)) {
                return;
            }
            List<Integer> unsupported = new java.util.ArrayList<>(2);
            if (changeIp || changePort) {
                unsupported.add(AttributeType.CHANGE_REQUEST.code());
            }
            if (responsePort.isPresent()) {
                unsupported.add(AttributeType.RESPONSE_PORT.code());
            }
            responder.respond(link, decoded, StunMessage.errorResponseTo(request, ErrorCode.UNKNOWN_ATTRIBUTE)
                    .add(new UnknownAttributes(unsupported)), Integrity.none());
            return;
        }
        StunMessage.Builder response = StunMessage.successResponseTo(request)
                .add(new XorMappedAddress(client));
        if (quad == null) {
            responder.respond(link, decoded, response, Integrity.none());
            return;
        }
        InetSocketAddress source = quad.select(local, changeIp, changePort);
        response.add(new ResponseOrigin(source)).add(new OtherAddress(quad.other(local)));
        request.attribute(Padding.class).map(p -> Math.min(p.length(), MAX_PADDING) & ~3).filter(n -> n > 0)
                .ifPresent(n -> response.add(new Padding(n)));
        InetSocketAddress destination = responsePort
                .map(p -> new InetSocketAddress(client.getAddress(), p.port())).orElse(client);
        byte[] encoded = responder.encode(decoded, response, Integrity.none());
        Channel from = natDiscovery.channel(source);
        if (from == null) {
            return;
        }
        // RFC 5780 §7.4: sent from the chosen source address, to RESPONSE-PORT when given.
        if (from == link.channel() && destination.equals(client)) {
            link.write(Unpooled.wrappedBuffer(encoded));
        } else {
            from.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(encoded), destination), from.voidPromise());
        }
    }
}
