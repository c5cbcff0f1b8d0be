package io.traverse.it;

import static io.traverse.it.TurnTestSession.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.it.TurnTestSession.Options;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.net.Cidr;
import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.turn.PeerPolicy;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The peer policy as the server enforces it (RFC 8656 §21.1.4, DESIGN.md "Peer policy"), with the loopback test
 * switch OFF: for one sample address of every default denied range, in every IPv6 form that embeds an IPv4 address
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4), CreatePermission and ChannelBind get 403 and a Send indication is
 * dropped and counted. The allocations are dual-stack so a 443 (family mismatch) cannot mask the 403.
 */
class PeerDenialMatrixTest {
    /** One sample per {@link PeerPolicy#DEFAULT_DENIED_RANGES} entry (not the network address where avoidable). */
    private static final Map<String, String> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put("0.0.0.0/8", "0.1.2.3");
        SAMPLES.put("10.0.0.0/8", "10.1.2.3");
        SAMPLES.put("100.64.0.0/10", "100.127.1.2");
        SAMPLES.put("127.0.0.0/8", "127.1.2.3");
        SAMPLES.put("169.254.0.0/16", "169.254.1.2");
        SAMPLES.put("172.16.0.0/12", "172.31.1.2");
        SAMPLES.put("192.0.0.0/24", "192.0.0.9");
        SAMPLES.put("192.0.2.0/24", "192.0.2.1");
        SAMPLES.put("192.88.99.0/24", "192.88.99.1");
        SAMPLES.put("192.168.0.0/16", "192.168.1.2");
        SAMPLES.put("198.18.0.0/15", "198.19.1.2");
        SAMPLES.put("198.51.100.0/24", "198.51.100.7");
        SAMPLES.put("203.0.113.0/24", "203.0.113.7");
        SAMPLES.put("224.0.0.0/4", "239.1.2.3");
        SAMPLES.put("240.0.0.0/4", "250.1.2.3");
        SAMPLES.put("255.255.255.255/32", "255.255.255.255");
        SAMPLES.put("::/128", "::");
        SAMPLES.put("::1/128", "::1");
        SAMPLES.put("100::/64", "100::1:2");
        SAMPLES.put("2001::/32", "2001:0:4136:e378:8000:63bf:3fff:fdd2");
        SAMPLES.put("2001:db8::/32", "2001:db8::1");
        SAMPLES.put("fc00::/7", "fd12:3456::1");
        SAMPLES.put("fe80::/10", "fe80::1");
        SAMPLES.put("fec0::/10", "fec0::1");
        SAMPLES.put("ff00::/8", "ff02::1");
    }

    private static final int PEER_PORT = 3479;

    @TempDir
    static Path dir;

    private static TestServer server;
    private static final Map<String, TurnTestSession> SESSIONS = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        server = TurnFixture.start(dir, Map.of("peers.allow-loopback-insecure-test-only", "false"));
        for (String transport : List.of("udp", "tcp")) {
            boolean tcp = transport.equals("tcp");
            TurnTestSession s = TurnTestSession.open(tcp ? server.tcp4() : server.udp4(), tcp, TurnFixture.USER,
                    TurnFixture.PASSWORD, Options.modern());
            s.challenge();
            StunMessage allocated = s.allocate(new AdditionalAddressFamily(RequestedAddressFamily.IPV6));
            assertEquals(2, allocated.attributes(XorRelayedAddress.class).size(), "dual-stack allocation");
            SESSIONS.put(transport, s);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (TurnTestSession s : SESSIONS.values()) {
            s.close();
        }
        server.close();
    }

    /** The table covers exactly the default denied ranges, and each sample lies in its range. */
    @Test
    void samplesCoverEveryDefaultDeniedRange() throws Exception {
        assertEquals(PeerPolicy.DEFAULT_DENIED_RANGES, new ArrayList<>(SAMPLES.keySet()));
        for (Map.Entry<String, String> e : SAMPLES.entrySet()) {
            assertTrue(Cidr.parse(e.getKey()).contains(InetAddress.getByName(e.getValue())), e.toString());
        }
    }

    /** The IPv6 forms of an IPv4 address that the policy must see through. */
    static List<Map.Entry<String, InetAddress>> forms(InetAddress sample) throws Exception {
        List<Map.Entry<String, InetAddress>> out = new ArrayList<>();
        out.add(Map.entry("plain", sample));
        if (!(sample instanceof Inet4Address)) {
            return out;
        }
        byte[] v4 = sample.getAddress();
        out.add(Map.entry("mapped", v6(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff}, v4)));
        out.add(Map.entry("compatible", v6(new byte[12], v4)));
        out.add(Map.entry("nat64", v6(new byte[] {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0}, v4)));
        byte[] sixToFour = new byte[16];
        sixToFour[0] = 0x20;
        sixToFour[1] = 0x02;
        System.arraycopy(v4, 0, sixToFour, 2, 4);
        sixToFour[15] = 1;
        out.add(Map.entry("6to4", Inet6Address.getByAddress(null, sixToFour, -1)));
        return out;
    }

    private static InetAddress v6(byte[] prefix12, byte[] v4) throws Exception {
        byte[] b = new byte[16];
        System.arraycopy(prefix12, 0, b, 0, 12);
        System.arraycopy(v4, 0, b, 12, 4);
        // Inet6Address.getByAddress keeps an IPv4-mapped address as IPv6 (InetAddress.getByAddress would not).
        return Inet6Address.getByAddress(null, b, -1);
    }

    static Stream<Arguments> deniedPeers() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (String transport : List.of("udp", "tcp")) {
            for (Map.Entry<String, String> e : SAMPLES.entrySet()) {
                for (Map.Entry<String, InetAddress> form : forms(InetAddress.getByName(e.getValue()))) {
                    out.add(Arguments.of(transport, e.getKey(), form.getKey(), form.getValue()));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("deniedPeers")
    void deniedPeerIsRefusedEverywhere(String transport, String range, String form, InetAddress address)
            throws Exception {
        TurnTestSession s = SESSIONS.get(transport);
        InetSocketAddress peer = new InetSocketAddress(address, PEER_PORT);
        s.fail(s.send(request(Method.CREATE_PERMISSION).add(new XorPeerAddress(peer))), 403);
        s.fail(s.send(request(Method.CHANNEL_BIND).add(new ChannelNumber(0x4000)).add(new XorPeerAddress(peer))),
                403);
        double before = server.metrics().droppedCount(DropReason.PEER_DENIED);
        s.sendIndication(peer, "must not leave".getBytes(StandardCharsets.UTF_8));
        sync(s);
        awaitCount(DropReason.PEER_DENIED, before + 1);
    }

    /** Control: public addresses, in the same forms, are allowed, so the 403s above come from the ranges. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("publicPeers")
    void publicPeerIsAllowed(String transport, String form, InetAddress address) throws Exception {
        TurnTestSession s = SESSIONS.get(transport);
        if (form.equals("mapped")) {
            // ::ffff:a.b.c.d as an IPv6 peer is refused whatever a.b.c.d is: an IPv6-only relay socket cannot
            // reach it (see TurnService.checkPeer).
            s.fail(s.send(request(Method.CREATE_PERMISSION)
                    .add(new XorPeerAddress(new InetSocketAddress(address, PEER_PORT)))), 403);
            return;
        }
        s.createPermission(new InetSocketAddress(address, PEER_PORT));
    }

    static Stream<Arguments> publicPeers() throws Exception {
        List<Arguments> out = new ArrayList<>();
        for (String transport : List.of("udp", "tcp")) {
            for (Map.Entry<String, InetAddress> form : forms(InetAddress.getByName("8.8.8.8"))) {
                out.add(Arguments.of(transport, form.getKey(), form.getValue()));
            }
            out.add(Arguments.of(transport, "ipv6", InetAddress.getByName("2001:4860:4860::8888")));
        }
        return out.stream();
    }

    /**
     * A Binding round trip on the same 5-tuple: the server handles a client's messages in order on one loop, so
     * when the answer arrives the Send indication before it has been handled (and it got no answer of its own).
     */
    private static void sync(TurnTestSession s) throws Exception {
        StunMessage binding = StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random()).build();
        s.client().sendRaw(StunEncoder.encode(binding));
        StunMessage response = s.client().receive().message();
        assertEquals(binding.transactionId(), response.transactionId(), "the Send indication was answered");
        assertEquals(MessageClass.SUCCESS_RESPONSE, response.messageClass());
    }

    /**
     * Waits (at most 0.5 s: after {@link #sync} the indication has been handled, this only covers the counter's
     * visibility to this thread) for the counter to reach {@code expected}, then asserts it is exactly that.
     */
    private static void awaitCount(DropReason reason, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + 500_000_000L;
        while (server.metrics().droppedCount(reason) < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, server.metrics().droppedCount(reason), reason.tag());
    }
}
