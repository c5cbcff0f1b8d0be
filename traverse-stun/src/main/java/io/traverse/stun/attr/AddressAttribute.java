package io.traverse.stun.attr;

import io.traverse.stun.StunAttribute;
import java.net.InetSocketAddress;

/**
 * An attribute whose value is a transport address (RFC 8489 §14.1, §14.2): IPv4 or IPv6 plus port.
 * The XOR variants obfuscate the value on the wire; the record always holds the plain address.
 */
public interface AddressAttribute extends StunAttribute {
    /** Address family code 0x01, RFC 8489 §14.1. */
    int FAMILY_IPV4 = 0x01;
    /** Address family code 0x02, RFC 8489 §14.1. */
    int FAMILY_IPV6 = 0x02;

    /** The resolved transport address. */
    InetSocketAddress address();

    /** True for the XOR-obfuscated encodings (RFC 8489 §14.2). */
    default boolean isXor() {
        return false;
    }

    /**
     * Checks that {@code address} is non-null and resolved (has an IP address).
     *
     * @return {@code address}
     */
    static InetSocketAddress require(InetSocketAddress address) {
        if (address == null) {
            throw new NullPointerException("address");
        }
        if (address.getAddress() == null) {
            throw new IllegalArgumentException("address must be resolved: " + address);
        }
        return address;
    }
}
