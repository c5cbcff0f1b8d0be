package io.traverse.server;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RFC 5780 address sets: for each UDP listener address A1:P1 with an alternate address A2 and port P2, the four
 * sockets A1:P1, A1:P2, A2:P1, A2:P2 and a channel of each to send from.
 */
final class NatDiscovery {
    private final Map<InetSocketAddress, Channel> channels = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, Quad> quads = new ConcurrentHashMap<>();

    /** The two IPs and two ports of one RFC 5780 server. */
    record Quad(InetAddress ip1, InetAddress ip2, int port1, int port2) {
        /** The address that differs from {@code local} in the IP when {@code changeIp}, in the port when {@code changePort}. */
        InetSocketAddress select(InetSocketAddress local, boolean changeIp, boolean changePort) {
            InetAddress ip = local.getAddress();
            int port = local.getPort();
            if (changeIp) {
                ip = ip.equals(ip1) ? ip2 : ip1;
            }
            if (changePort) {
                port = port == port1 ? port2 : port1;
            }
            return new InetSocketAddress(ip, port);
        }

        /** RFC 5780 §7.3 OTHER-ADDRESS: differs from the receiving address in both IP and port. */
        InetSocketAddress other(InetSocketAddress local) {
            return select(local, true, true);
        }
    }

    /** Registers the four bound addresses of a quad and a channel bound at each. */
    void register(Quad quad, Map<InetSocketAddress, Channel> bound) {
        for (Map.Entry<InetSocketAddress, Channel> e : bound.entrySet()) {
            channels.put(e.getKey(), e.getValue());
            quads.put(e.getKey(), quad);
        }
    }

    /** The quad a local listener address belongs to, or null when RFC 5780 is off for it. */
    Quad quadOf(InetSocketAddress local) {
        return quads.get(local);
    }

    /** A channel bound at {@code local}. */
    Channel channel(InetSocketAddress local) {
        return channels.get(local);
    }
}
