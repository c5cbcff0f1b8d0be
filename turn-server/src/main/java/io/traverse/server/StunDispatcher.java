package io.traverse.server;

import io.netty.buffer.ByteBuf;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.MessageClass;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.UnknownAttributes;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunParseException;
import io.traverse.transport.ClientLink;
import io.traverse.transport.StunHandler;
import java.util.List;

/**
 * Entry point of every STUN message that reaches a listener. Decodes it, applies the checks every method shares
 * (RFC 8489 §6.3) and hands it to the handler of its method. Runs on the client's event loop.
 */
record StunDispatcher(TraverseMetrics metrics, Responder responder, TurnService turn, BindingHandler binding,
        UnauthenticatedAnswers unauthenticated) implements StunHandler {
    /** Handles one STUN message; {@code packet} is not released here. */
    @Override
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
            long start = System.nanoTime();
            onRequest(decoded, link);
            metrics.recordRequestNanos(message.type().method().name(), System.nanoTime() - start);
        } else if (kind == MessageClass.INDICATION) {
            if (!message.unknownComprehensionRequired().isEmpty()) {
                // RFC 8489 §6.3.2: an indication with unknown comprehension-required attributes is discarded.
                metrics.dropped(DropReason.UNKNOWN_REQUIRED_ATTRIBUTE);
            } else if (message.type().method().equals(Method.SEND)) {
                turn.onSend(message, link);
            } else {
                metrics.dropped(DropReason.UNEXPECTED_CLASS);
            }
        } else {
            // Clients send requests and indications only.
            metrics.dropped(DropReason.UNEXPECTED_CLASS);
        }
    }

    @Override
    public void onClientClosed(ClientLink link) {
        turn.onClientClosed(link);
    }

    private void onRequest(DecodedMessage decoded, ClientLink link) {
        StunMessage request = decoded.message();
        List<Integer> unknown = request.unknownComprehensionRequired();
        if (!unknown.isEmpty()) {
            // RFC 8489 §6.3.1.1: 420 listing the unknown comprehension-required attributes, before any method logic.
            // Sent before any authentication, so rate limited per source like every unauthenticated answer.
            if (!unauthenticated.tryAnswer(link)) {
                return;
            }
            responder.respond(link, decoded, StunMessage.errorResponseTo(request, ErrorCode.UNKNOWN_ATTRIBUTE)
                    .add(new UnknownAttributes(unknown)), Integrity.none());
            return;
        }
        Method method = request.type().method();
        if (method.equals(Method.BINDING)) {
            binding.onBinding(decoded, link);
        } else if (TurnService.handles(method)) {
            turn.onRequest(decoded, link);
        } else {
            // RFC 8489 §6.3.1: a request for a method the server does not know gets 400 (rate limited per source).
            if (!unauthenticated.tryAnswer(link)) {
                return;
            }
            responder.respond(link, decoded, StunMessage.errorResponseTo(request, ErrorCode.BAD_REQUEST),
                    Integrity.none());
        }
    }
}
