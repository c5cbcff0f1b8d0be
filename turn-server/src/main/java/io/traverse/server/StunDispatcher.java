package io.traverse.server;

import io.netty.buffer.ByteBuf;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.MessageClass;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.Software;
import io.traverse.stun.attr.UnknownAttribute;
import io.traverse.stun.attr.UnknownAttributes;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.stun.codec.StunParseException;
import io.traverse.transport.ClientLink;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of every STUN message that reaches a listener. Decodes it, applies the checks every method shares
 * (RFC 8489 §6.3) and hands it to the handler of its method. Runs on the client's event loop.
 */
public final class StunDispatcher {
    private final TraverseMetrics metrics;
    private final Software software;

    public StunDispatcher(TraverseMetrics metrics, String software) {
        this.metrics = metrics;
        this.software = software == null || software.isEmpty() ? null : new Software(software);
    }

    /** Handles one STUN message; {@code packet} is not released here. */
    public void onStun(ByteBuf packet, ClientLink link) {
        DecodedMessage decoded;
        try {
            decoded = StunDecoder.decode(packet);
        } catch (StunParseException e) {
            metrics.dropped(DropReason.MALFORMED);
            return;
        }
        if (decoded.hasFingerprint() && !decoded.fingerprintValid()) {
            metrics.dropped(DropReason.BAD_FINGERPRINT);
            return;
        }
        StunMessage message = decoded.message();
        MessageClass kind = message.type().messageClass();
        if (kind == MessageClass.REQUEST) {
            onRequest(decoded, link);
        } else if (kind == MessageClass.INDICATION) {
            if (!unknownRequired(message).isEmpty()) {
                // RFC 8489 §6.3.2: an indication with unknown comprehension-required attributes is discarded.
                metrics.dropped(DropReason.UNKNOWN_REQUIRED_ATTRIBUTE);
                return;
            }
            metrics.dropped(DropReason.UNEXPECTED_CLASS);
        } else {
            // A server sends requests only in RFC 6062 ConnectionAttempt... which are indications; responses are
            // never expected here.
            metrics.dropped(DropReason.UNEXPECTED_CLASS);
        }
    }

    private void onRequest(DecodedMessage decoded, ClientLink link) {
        StunMessage request = decoded.message();
        List<Integer> unknown = unknownRequired(request);
        if (!unknown.isEmpty()) {
            // RFC 8489 §6.3.1.1: 420 listing the unknown comprehension-required attributes, before any method logic.
            send(link, decoded, StunMessage.errorResponseTo(request, ErrorCode.UNKNOWN_ATTRIBUTE)
                    .add(new UnknownAttributes(unknown)), Integrity.none());
            return;
        }
        Method method = request.type().method();
        if (method.equals(Method.BINDING)) {
            send(link, decoded, BindingHandler.respond(request, link.fiveTuple().client()), Integrity.none());
        } else {
            // RFC 8489 §6.3.1: a request for a method the server does not know gets 400.
            send(link, decoded, StunMessage.errorResponseTo(request, ErrorCode.BAD_REQUEST), Integrity.none());
        }
    }

    private static List<Integer> unknownRequired(StunMessage message) {
        List<Integer> unknown = List.of();
        for (StunAttribute attribute : message.attributes()) {
            if (attribute instanceof UnknownAttribute && attribute.type().isComprehensionRequired()) {
                if (unknown.isEmpty()) {
                    unknown = new ArrayList<>(2);
                }
                unknown.add(attribute.type().code());
            }
        }
        return unknown;
    }

    /** Encodes and writes a response; FINGERPRINT is added when the request carried one. */
    void send(ClientLink link, DecodedMessage request, StunMessage.Builder response, Integrity integrity) {
        if (software != null) {
            response.add(software);
        }
        StunMessage message = response.build();
        ByteBuf out = link.channel().alloc().buffer(256);
        StunEncoder.encode(message, integrity, request.hasFingerprint(), out);
        metrics.request(request.message().type().method().name(), errorCodeOf(message));
        link.write(out);
    }

    private static int errorCodeOf(StunMessage message) {
        return message.attribute(io.traverse.stun.attr.ErrorCodeAttribute.class)
                .map(io.traverse.stun.attr.ErrorCodeAttribute::code)
                .orElse(200);
    }
}
