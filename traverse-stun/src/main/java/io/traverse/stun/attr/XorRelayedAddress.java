package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import java.net.InetSocketAddress;

/**
 * XOR-RELAYED-ADDRESS (RFC 8656 §18.5): the relayed transport address the server allocated, encoded
 * like XOR-MAPPED-ADDRESS.
 *
 * @param address the resolved transport address (IPv4 or IPv6)
 */
public record XorRelayedAddress(InetSocketAddress address) implements AddressAttribute {
    public XorRelayedAddress {
        AddressAttribute.require(address);
    }

    @Override
    public AttributeType type() {
        return AttributeType.XOR_RELAYED_ADDRESS;
    }

    @Override
    public boolean isXor() {
        return true;
    }
}
