package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.6): the family of the relayed address the client wants, one
 * byte (0x01 IPv4, 0x02 IPv6) then 24 reserved bits. Any byte value is representable so that a server
 * can answer 440 to one it does not support (RFC 8656 §7.2).
 *
 * @param family 0..255
 */
public record RequestedAddressFamily(int family) implements StunAttribute {
    /** IPv4. */
    public static final int IPV4 = 0x01;
    /** IPv6. */
    public static final int IPV6 = 0x02;

    public RequestedAddressFamily {
        Bytes.requireU8("address family", family);
    }

    @Override
    public AttributeType type() {
        return AttributeType.REQUESTED_ADDRESS_FAMILY;
    }
}
