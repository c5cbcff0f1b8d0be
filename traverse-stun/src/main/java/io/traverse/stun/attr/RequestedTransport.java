package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * REQUESTED-TRANSPORT (RFC 8656 §18.8): the IP protocol number of the relay transport, one byte then
 * 24 RFFU bits. RFC 8656 allows 17 (UDP); RFC 6062 adds 6 (TCP). Any byte value is representable so
 * that a server can answer 442.
 *
 * @param protocol 0..255
 */
public record RequestedTransport(int protocol) implements StunAttribute {
    /** UDP. */
    public static final int UDP = 17;
    /** TCP (RFC 6062 §5.1). */
    public static final int TCP = 6;

    public RequestedTransport {
        Bytes.requireU8("protocol", protocol);
    }

    @Override
    public AttributeType type() {
        return AttributeType.REQUESTED_TRANSPORT;
    }
}
