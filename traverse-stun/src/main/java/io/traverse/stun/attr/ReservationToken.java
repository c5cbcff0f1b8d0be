package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * RESERVATION-TOKEN (RFC 8656 §18.10): an 8-byte token naming a relayed address the server reserved
 * after an EVEN-PORT request with R set.
 *
 * @param token the 64 bits
 */
public record ReservationToken(long token) implements StunAttribute {
    @Override
    public AttributeType type() {
        return AttributeType.RESERVATION_TOKEN;
    }

    @Override
    public String toString() {
        return String.format("ReservationToken[%016x]", token);
    }
}
