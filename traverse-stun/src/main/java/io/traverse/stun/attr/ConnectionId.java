package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * CONNECTION-ID (RFC 6062 §6.2.1): identifies a peer data connection of a TCP allocation; a 32-bit
 * unsigned value, held here in an {@code int} bit for bit.
 *
 * @param id the 32 bits (use {@link #unsignedId()} for the unsigned value)
 */
public record ConnectionId(int id) implements StunAttribute {
    /** The id as an unsigned number 0..2^32-1. */
    public long unsignedId() {
        return Integer.toUnsignedLong(id);
    }

    @Override
    public AttributeType type() {
        return AttributeType.CONNECTION_ID;
    }

    @Override
    public String toString() {
        return "ConnectionId[" + unsignedId() + "]";
    }
}
