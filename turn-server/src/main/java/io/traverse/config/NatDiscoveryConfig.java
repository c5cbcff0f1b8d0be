package io.traverse.config;

import io.traverse.net.IpAddresses;
import java.net.InetAddress;

/**
 * The {@code nat-discovery} section: RFC 5780 NAT behaviour discovery. With an alternate address every UDP
 * listener on a concrete address A1:P1 is joined by A1:P2, A2:P1 and A2:P2, Binding responses carry OTHER-ADDRESS
 * and RESPONSE-ORIGIN, and CHANGE-REQUEST is honoured. Without one, CHANGE-REQUEST asking for a change is
 * answered 420.
 *
 * @param alternateAddress a second IP address of this host (same family as the listeners), or {@code null}
 * @param alternatePort    the second port, 1..65535, or 0 for "listener port + 1"
 */
public record NatDiscoveryConfig(InetAddress alternateAddress, int alternatePort) {

    public NatDiscoveryConfig {
        Validator v = new Validator();
        if (alternateAddress != null && v.unicast("alternate-address", alternateAddress)) {
            if (alternateAddress.isAnyLocalAddress()) {
                v.add("alternate-address", "must be a concrete address of this host, got "
                        + IpAddresses.format(alternateAddress));
            }
        }
        v.range("alternate-port", alternatePort, 0, 65535);
        v.done();
    }

    public boolean enabled() {
        return alternateAddress != null;
    }

    /** Off. */
    public static NatDiscoveryConfig defaults() {
        return new NatDiscoveryConfig(null, 0);
    }
}
