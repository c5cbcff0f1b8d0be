package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import java.net.InetSocketAddress;

/**
 * XOR-PEER-ADDRESS (RFC 8656 §18.3): a peer address as seen from the TURN server, encoded like
 * XOR-MAPPED-ADDRESS.
 *
 * @param address the resolved transport address (IPv4 or IPv6)
 */
public record XorPeerAddress(InetSocketAddress address) implements AddressAttribute {
    public XorPeerAddress {
        AddressAttribute.require(address);
    }

    @Override
    public AttributeType type() {
        return AttributeType.XOR_PEER_ADDRESS;
    }

    @Override
    public boolean isXor() {
        return true;
    }
}
