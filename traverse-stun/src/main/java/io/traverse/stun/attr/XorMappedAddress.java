package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import java.net.InetSocketAddress;

/**
 * XOR-MAPPED-ADDRESS (RFC 8489 §14.2): the reflexive transport address, XOR-ed on the wire with the
 * magic cookie (and for IPv6 also the transaction ID).
 *
 * @param address the resolved transport address (IPv4 or IPv6)
 */
public record XorMappedAddress(InetSocketAddress address) implements AddressAttribute {
    public XorMappedAddress {
        AddressAttribute.require(address);
    }

    @Override
    public AttributeType type() {
        return AttributeType.XOR_MAPPED_ADDRESS;
    }

    @Override
    public boolean isXor() {
        return true;
    }
}
