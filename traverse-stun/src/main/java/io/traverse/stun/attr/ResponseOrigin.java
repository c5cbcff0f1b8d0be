package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import java.net.InetSocketAddress;

/**
 * RESPONSE-ORIGIN (RFC 5780 §7.3): the address the response was sent from, encoded like
 * MAPPED-ADDRESS.
 *
 * @param address the resolved transport address (IPv4 or IPv6)
 */
public record ResponseOrigin(InetSocketAddress address) implements AddressAttribute {
    public ResponseOrigin {
        AddressAttribute.require(address);
    }

    @Override
    public AttributeType type() {
        return AttributeType.RESPONSE_ORIGIN;
    }
}
