package io.traverse.metrics;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The address families an allocation relays for, as the {@code family} tag of the allocation meters:
 * one IPv4 relayed address, one IPv6 relayed address, or both (a dual allocation, RFC 8656 §7.2 with
 * ADDITIONAL-ADDRESS-FAMILY).
 */
public enum AllocationFamily {
    /** A single IPv4 relayed address. */
    IPV4("ipv4"),
    /** A single IPv6 relayed address. */
    IPV6("ipv6"),
    /** One relayed address of each family. */
    DUAL("dual");

    private final String tag;

    AllocationFamily(String tag) {
        this.tag = tag;
    }

    /** The tag value. */
    public String tag() {
        return tag;
    }

    /**
     * The family of an allocation's relayed addresses. An empty list (which an allocation never has)
     * counts as {@link #IPV4}.
     */
    public static AllocationFamily of(List<InetSocketAddress> relayAddresses) {
        boolean v4 = false;
        boolean v6 = false;
        for (int i = 0; i < relayAddresses.size(); i++) {
            if (relayAddresses.get(i).getAddress() instanceof Inet6Address) {
                v6 = true;
            } else {
                v4 = true;
            }
        }
        if (v4 && v6) {
            return DUAL;
        }
        return v6 ? IPV6 : IPV4;
    }
}
