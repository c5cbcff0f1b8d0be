package io.traverse.server;

import io.traverse.turn.PortAllocator;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * One relay address: where relay sockets are bound, the address clients are told (XOR-RELAYED-ADDRESS; differs
 * behind 1:1 NAT), and the port pool of that address.
 */
record RelayFamily(InetAddress bind, InetAddress advertised, PortAllocator ports) {
    boolean isIpv6() {
        return bind instanceof Inet6Address;
    }
}
