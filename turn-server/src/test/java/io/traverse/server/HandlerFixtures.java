package io.traverse.server;

import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.turn.Allocation;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.RelayHandle;
import io.traverse.turn.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Requests, allocations and relay handles for the handler table tests: plain objects, no socket. */
final class HandlerFixtures {
    static final String USER = "alice";

    private HandlerFixtures() {
    }

    static StunMessage request(Method method, StunAttribute... attributes) {
        return StunMessage.builder(MessageType.request(method), TransactionId.random()).addAll(List.of(attributes))
                .build();
    }

    static StunMessage indication(Method method, StunAttribute... attributes) {
        return StunMessage.builder(MessageType.indication(method), TransactionId.random())
                .addAll(List.of(attributes)).build();
    }

    /** A UDP allocation relaying on each of {@code relays} (one per family). */
    static Allocation udp(String... relays) {
        return allocation(new FakeHandle(false), relays);
    }

    /** An RFC 6062 TCP allocation relaying on each of {@code relays}. */
    static Allocation tcp(String... relays) {
        return allocation(new FakeHandle(true), relays);
    }

    private static Allocation allocation(RelayHandle handle, String... relays) {
        Allocation.Builder b = Allocation.builder(new FiveTuple(TransportProtocol.UDP, address("198.51.100.7", 40000),
                address("192.0.2.1", 3478)), USER).transactionId(new byte[12]).relayHandle(handle);
        for (String relay : relays) {
            b.relay(address(relay, 50000));
        }
        return b.build(0);
    }

    static InetSocketAddress address(String ip, int port) {
        return new InetSocketAddress(ip(ip), port);
    }

    /**
     * {@code ::ffff:a.b.c.d} kept as an IPv6 address, as the decoder hands it over ({@code InetAddress.getByName}
     * would turn it into IPv4).
     */
    static InetSocketAddress mapped(String ipv4, int port) {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        System.arraycopy(ip(ipv4).getAddress(), 0, bytes, 12, 4);
        try {
            return new InetSocketAddress(java.net.Inet6Address.getByAddress(null, bytes, -1), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: no name is resolved
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A relay handle of either kind that relays nothing. */
    static final class FakeHandle extends RelayHandle.Detached {
        private final boolean tcp;

        FakeHandle(boolean tcp) {
            this.tcp = tcp;
        }

        @Override
        public boolean isTcp() {
            return tcp;
        }
    }
}
