package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import java.net.InetSocketAddress;

/**
 * ALTERNATE-SERVER (RFC 8489 §14.15): the server the client should try instead (with 300 Try
 * Alternate), encoded like MAPPED-ADDRESS.
 *
 * @param address the resolved transport address (IPv4 or IPv6)
 */
public record AlternateServer(InetSocketAddress address) implements AddressAttribute {
    public AlternateServer {
        AddressAttribute.require(address);
    }

    @Override
    public AttributeType type() {
        return AttributeType.ALTERNATE_SERVER;
    }
}
