package io.traverse.server;

import io.traverse.stun.StunMessage;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.transport.ClientLink;

/** Encodes and writes a response to a request (SOFTWARE and FINGERPRINT rules applied by the implementation). */
interface Responder {
    /** Writes without flushing; returns the encoded bytes (for retransmission caches). */
    default byte[] respond(ClientLink link, DecodedMessage request, StunMessage.Builder response,
            Integrity integrity) {
        byte[] encoded = encode(request, response, integrity);
        link.write(io.netty.buffer.Unpooled.wrappedBuffer(encoded));
        return encoded;
    }

    /** Encodes (and counts) a response without sending it. */
    byte[] encode(DecodedMessage request, StunMessage.Builder response, Integrity integrity);
}
