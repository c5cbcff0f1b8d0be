package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import java.net.InetSocketAddress;

/**
 * OTHER-ADDRESS (RFC 5780 §7.4): the server's alternate address and port for NAT behaviour
 * discovery, encoded like MAPPED-ADDRESS.
 *
 * @param address the resolved transport address (IPv4 or IPv6)
 */
public record OtherAddress(InetSocketAddress address) implements AddressAttribute {
    public OtherAddress {
        AddressAttribute.require(address);
    }

    @Override
    public AttributeType type() {
        return AttributeType.OTHER_ADDRESS;
    }
}
