package io.traverse.server;

import io.traverse.config.RelayAddress;
import io.traverse.config.RelayConfig;
import io.traverse.turn.PeerPolicy;
import io.traverse.turn.PortAllocator;
import io.traverse.turn.TurnClock;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay address: where relay sockets are bound, the address clients are told (XOR-RELAYED-ADDRESS; differs
 * behind 1:1 NAT), and the port pool of that address.
 */
record RelayFamily(InetAddress bind, InetAddress advertised, PortAllocator ports) {
    private static final Logger LOG = LoggerFactory.getLogger(RelayFamily.class);

    boolean isIpv6() {
        return bind instanceof Inet6Address;
    }

    /**
     * One relay address per configured entry. A wildcard bind address is replaced by the first global address of
     * that family on this host: a client must be told a concrete XOR-RELAYED-ADDRESS.
     *
     * @throws IllegalStateException when no relay address is usable
     */
    static List<RelayFamily> fromConfig(RelayConfig relay, TurnClock clock) {
        List<RelayFamily> families = new ArrayList<>();
        for (RelayAddress address : relay.addresses()) {
            InetAddress bind = address.bind();
            if (bind.isAnyLocalAddress()) {
                InetAddress concrete = firstGlobalAddress(bind instanceof Inet6Address);
                if (concrete == null) {
                    LOG.warn("relay address {}: no global {} address on this host; that family is not relayed",
                            bind.getHostAddress(), bind instanceof Inet6Address ? "IPv6" : "IPv4");
                    continue;
                }
                bind = concrete;
            }
            boolean ipv6 = bind instanceof Inet6Address;
            if (families.stream().anyMatch(f -> f.isIpv6() == ipv6)) {
                LOG.warn("relay address {}: one relay address per family is used; ignored", bind.getHostAddress());
                continue;
            }
            InetAddress advertised = address.advertised() != null ? address.advertised() : bind;
            families.add(new RelayFamily(bind, advertised,
                    new PortAllocator(relay.portRange().min(), relay.portRange().max(), clock)));
        }
        if (families.isEmpty()) {
            throw new IllegalStateException("relay.addresses: no usable relay address");
        }
        return List.copyOf(families);
    }

    private static InetAddress firstGlobalAddress(boolean ipv6) {
        try {
            for (InetAddress a : PeerPolicy.localInterfaceAddresses()) {
                boolean family = ipv6 ? a instanceof Inet6Address : a instanceof Inet4Address;
                if (family && !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()) {
                    // without the interface scope (%eth0): a relay address is global
                    return InetAddress.getByAddress(a.getAddress());
                }
            }
        } catch (SocketException | UnknownHostException e) {
            LOG.warn("cannot list interface addresses: {}", e.toString());
        }
        return null;
    }
}
