package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11): encoded like REQUESTED-ADDRESS-FAMILY; asks for a second
 * (IPv6) relayed address. Only 0x02 is valid in an Allocate request, but any byte is representable so
 * that a server can answer 400.
 *
 * @param family 0..255
 */
public record AdditionalAddressFamily(int family) implements StunAttribute {
    public AdditionalAddressFamily {
        Bytes.requireU8("address family", family);
    }

    @Override
    public AttributeType type() {
        return AttributeType.ADDITIONAL_ADDRESS_FAMILY;
    }
}
