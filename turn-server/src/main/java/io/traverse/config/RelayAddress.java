package io.traverse.config;

import io.traverse.net.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A local address relayed transport addresses are allocated on ({@code relay.addresses[]}). Behind 1:1
 * NAT the address clients and peers must use differs from the one bound; {@code advertised} is what goes
 * into XOR-RELAYED-ADDRESS (RFC 8656 §7.3). In the file either a mapping
 * {@code {bind: 10.0.0.5, advertised: 203.0.113.7}} or a string {@code "10.0.0.5=203.0.113.7"} /
 * {@code "0.0.0.0"} (see {@link #parse(String)}).
 *
 * @param bind       local IP to bind relay sockets to; a wildcard ({@code 0.0.0.0}, {@code ::}) is allowed
 * @param advertised address to report to clients, or {@code null} to report the bound address; must be a
 *                   specific unicast address of the same family as {@code bind}
 */
public record RelayAddress(InetAddress bind, InetAddress advertised) {

    public RelayAddress {
        Validator v = new Validator();
        v.unicast("bind", bind);
        if (advertised != null && v.unicast("advertised", advertised)) {
            if (advertised.isAnyLocalAddress()) {
                v.add("advertised", "must be a specific address, not the wildcard " + IpAddresses.format(advertised));
            } else if (bind != null && (bind instanceof Inet4Address) != (advertised instanceof Inet4Address)) {
                v.add("advertised", "must be of the same address family as bind (" + family(bind) + "), got "
                        + IpAddresses.format(advertised));
            }
        }
        v.done();
    }

    /** Parses {@code bind} or {@code bind=advertised} (IP literals; IPv6 with or without brackets). */
    public static RelayAddress parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            return of(IpAddresses.parse(text), null, text);
        }
        return of(IpAddresses.parse(text.substring(0, eq)), IpAddresses.parse(text.substring(eq + 1)), text);
    }

    private static RelayAddress of(InetAddress bind, InetAddress advertised, String text) {
        try {
            return new RelayAddress(bind, advertised);
        } catch (InvalidConfigException e) {
            throw new IllegalArgumentException(e.oneLine() + " in \"" + text + "\"", e);
        }
    }

    /** True for an IPv4 relay address. */
    public boolean isIpv4() {
        return bind instanceof Inet4Address;
    }

    /** {@code bind} or {@code bind=advertised}: the string form, accepted by {@link #parse}. */
    @Override
    public String toString() {
        return advertised == null ? IpAddresses.format(bind)
                : IpAddresses.format(bind) + "=" + IpAddresses.format(advertised);
    }

    private static String family(InetAddress a) {
        return a instanceof Inet4Address ? "IPv4" : "IPv6";
    }
}
