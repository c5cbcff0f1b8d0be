package io.traverse.server;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.transport.ClientLink;
import io.traverse.util.LogText;
import java.util.Optional;
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
                    link.fiveTuple().client(), LogText.escape(auth.username()), code.code(),
                    LogText.escape(String.valueOf(request.message().attributes())));
        }
        respond(link, request, StunMessage.errorResponseTo(request.message(), code), auth.integrity());
    }

    /**
     * Answers {@code request} with the error of {@code refusal} when there is one (a handler's check failed).
     *
     * @return whether the request was refused
     */
    default boolean refuse(ClientLink link, DecodedMessage request, Authenticator.Authenticated auth,
            Optional<ErrorCode> refusal) {
        refusal.ifPresent(code -> error(link, request, auth, code));
        return refusal.isPresent();
    }

    /** Encodes (and counts) a response without sending it. */
    byte[] encode(DecodedMessage request, StunMessage.Builder response, Integrity integrity);
}
