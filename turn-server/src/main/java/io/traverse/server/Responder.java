package io.traverse.server;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.transport.ClientLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Encodes and writes a response to a request (SOFTWARE and FINGERPRINT rules applied by the implementation). */
interface Responder {
    /** Writes without flushing; returns the encoded bytes (for retransmission caches). */
    default byte[] respond(ClientLink link, DecodedMessage request, StunMessage.Builder response,
            Integrity integrity) {
        byte[] encoded = encode(request, response, integrity);
        link.write(io.netty.buffer.Unpooled.wrappedBuffer(encoded));
        return encoded;
    }

    /**
     * Answers {@code request} with an error response carrying {@code code} (RFC 8489 §6.3.4), protected like the
     * request when it was authenticated.
     */
    default void error(ClientLink link, DecodedMessage request, Authenticator.Authenticated auth, ErrorCode code) {
        Logger log = LoggerFactory.getLogger(Responder.class);
        if (log.isDebugEnabled()) {
            log.debug("{} from {} ({}): {} {}", request.message().type().method().name(),
                    link.fiveTuple().client(), auth.username(), code.code(), request.message().attributes());
        }
        respond(link, request, StunMessage.errorResponseTo(request.message(), code), auth.integrity());
    }

    /** Encodes (and counts) a response without sending it. */
    byte[] encode(DecodedMessage request, StunMessage.Builder response, Integrity integrity);
}
