package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import java.net.InetSocketAddress;

/**
 * MAPPED-ADDRESS (RFC 8489 §14.1): the reflexive transport address, not obfuscated. Kept for RFC 3489
 * clients; new responses use {@link XorMappedAddress}.
 *
 * @param address the resolved transport address (IPv4 or IPv6)
 */
public record MappedAddress(InetSocketAddress address) implements AddressAttribute {
    public MappedAddress {
        AddressAttribute.require(address);
    }

    @Override
    public AttributeType type() {
        return AttributeType.MAPPED_ADDRESS;
    }
}
