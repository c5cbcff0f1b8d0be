package io.traverse.it;

import static io.traverse.it.TurnTestSession.allocateRequest;
import static io.traverse.it.TurnTestSession.code;
import static io.traverse.it.TurnTestSession.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.it.TurnTestSession.Options;
import io.traverse.stun.AttributeType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.AddressErrorCode;
import io.traverse.stun.attr.EvenPort;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.ReservationToken;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.StunDecoder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Allocate (RFC 8656 §7.2, with RFC 6156's address families) against the real server: every error response of the
 * steps in order, retransmissions, dual allocations, EVEN-PORT reservations and LIFETIME clamping.
 */
class TurnAllocateTest {
    @TempDir
    static Path dir;

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TurnFixture.start(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TurnTestSession alice() throws Exception {
        TurnTestSession s = TurnTestSession.open(server.udp4(), false, TurnFixture.USER, TurnFixture.PASSWORD,
                Options.modern());
        s.challenge();
        return s;
    }

    @Test
    void successCarriesRelayedAndMappedAddressAndDefaultLifetime() throws Exception {
        try (TurnTestSession s = alice()) {
            StunMessage response = s.succeed(s.send(allocateRequest()));
            List<XorRelayedAddress> relayed = response.attributes(XorRelayedAddress.class);
            assertEquals(1, relayed.size());
            assertEquals(InetAddress.getByName("127.0.0.1"), relayed.get(0).address().getAddress(),
                    "IPv4 by default (RFC 8656 §7.2)");
            assertEquals(s.client().localAddress(), response.attribute(XorMappedAddress.class).orElseThrow().address());
            assertEquals(600, response.attribute(Lifetime.class).orElseThrow().seconds());
        }
    }

    /** §7.2 step 3: no REQUESTED-TRANSPORT → 400. */
    @Test
    void missingRequestedTransportGets400() throws Exception {
        try (TurnTestSession s = alice()) {
            s.fail(s.send(request(Method.ALLOCATE)), 400);
            s.succeed(s.send(allocateRequest())); // nothing was allocated by the failed attempt
        }
    }

    /**
     * §7.2 step 3: a transport other than UDP or TCP → 442. (TCP over a UDP client connection is RFC 6062 §5.1's
     * 400, tested in TcpRelayTest.)
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 132, 255})
    void otherTransportGets442(int protocol) throws Exception {
        try (TurnTestSession s = alice()) {
            s.fail(s.send(request(Method.ALLOCATE).add(new RequestedTransport(protocol))), 442);
        }
    }

    /** §7.2 step 2: a new Allocate on a 5-tuple that has an allocation → 437. */
    @Test
    void secondAllocateOnLiveFiveTupleGets437() throws Exception {
        int before = server.server().allocations().registered();
        try (TurnTestSession s = alice()) {
            s.succeed(s.send(allocateRequest()));
            s.fail(s.send(allocateRequest()), 437);
            s.fail(s.send(allocateRequest(new RequestedAddressFamily(RequestedAddressFamily.IPV6))), 437);
            assertEquals(before + 1, server.server().allocations().registered());
        }
    }

    /** §7.2 / RFC 8489 §6.3.1: a retransmitted Allocate (same transaction) gets the very same success response. */
    @Test
    void retransmittedAllocateGetsByteIdenticalResponse() throws Exception {
        int before = server.server().allocations().registered();
        try (TurnTestSession s = alice()) {
            byte[] request = s.sign(allocateRequest());
            s.client().sendRaw(request);
            byte[] first = s.client().receiveRaw();
            s.succeed(StunDecoder.decode(first));
            s.client().sendRaw(request);
            byte[] second = s.client().receiveRaw();
            assertArrayEquals(first, second);
            assertEquals(before + 1, server.server().allocations().registered(), "one allocation, not two");
            s.fail(s.send(allocateRequest()), 437); // a new transaction is still refused
        }
    }

    /**
     * A retransmission that arrives while the first Allocate is still binding its relay socket (a client with a
     * short RTO, or a duplicated datagram) must also get the success response, not 437, and create nothing more.
     */
    @Test
    void immediateRetransmissionGetsTheSameSuccess() throws Exception {
        for (int round = 0; round < 5; round++) {
            int before = server.server().allocations().registered();
            int active = server.server().allocations().active();
            try (TurnTestSession s = alice()) {
                byte[] request = s.sign(allocateRequest());
                s.client().sendRaw(request);
                s.client().sendRaw(request);
                s.client().sendRaw(request);
                byte[] first = s.client().receiveRaw();
                s.succeed(StunDecoder.decode(first));
                assertArrayEquals(first, s.client().receiveRaw(), "round " + round);
                assertArrayEquals(first, s.client().receiveRaw(), "round " + round);
            }
            assertEquals(before + 1, server.server().allocations().registered());
            assertEquals(active + 1, server.server().allocations().active(), "quota slots of duplicates returned");
        }
    }

    /** §7.2 step 6: an unknown REQUESTED-ADDRESS-FAMILY → 440. */
    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x03, 0xFF})
    void unknownRequestedFamilyGets440(int family) throws Exception {
        try (TurnTestSession s = alice()) {
            s.fail(s.send(allocateRequest(new RequestedAddressFamily(family))), 440);
        }
    }

    @ParameterizedTest
    @CsvSource({"1,127.0.0.1", "2,::1"})
    void requestedFamilyPicksTheRelayAddress(int family, String expected) throws Exception {
        try (TurnTestSession s = alice()) {
            StunMessage response = s.succeed(s.send(allocateRequest(new RequestedAddressFamily(family))));
            List<XorRelayedAddress> relayed = response.attributes(XorRelayedAddress.class);
            assertEquals(1, relayed.size());
            assertEquals(InetAddress.getByName(expected), relayed.get(0).address().getAddress());
        }
    }

    /** §7.2 step 5: RESERVATION-TOKEN with EVEN-PORT → 400. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void reservationTokenWithEvenPortGets400(boolean reserve) throws Exception {
        try (TurnTestSession s = alice()) {
            s.fail(s.send(allocateRequest(new ReservationToken(0x0102030405060708L), new EvenPort(reserve))), 400);
        }
    }

    /** RESERVATION-TOKEN with REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY → 400. */
    @ParameterizedTest
    @ValueSource(strings = {"requested", "additional"})
    void reservationTokenWithFamilyGets400(String which) throws Exception {
        try (TurnTestSession s = alice()) {
            s.fail(s.send(allocateRequest(new ReservationToken(0x0102030405060708L),
                    which.equals("requested") ? new RequestedAddressFamily(RequestedAddressFamily.IPV4)
                            : new AdditionalAddressFamily(RequestedAddressFamily.IPV6))), 400);
        }
    }

    /** An unknown reservation token → 508 (RFC 8656 §7.2: no such reserved address). */
    @Test
    void unknownReservationTokenGets508() throws Exception {
        try (TurnTestSession s = alice()) {
            s.fail(s.send(allocateRequest(new ReservationToken(0x0102030405060708L))), 508);
        }
    }

    /** §7.2 step 6: REQUESTED-ADDRESS-FAMILY together with ADDITIONAL-ADDRESS-FAMILY → 400. */
    @ParameterizedTest
    @ValueSource(ints = {RequestedAddressFamily.IPV4, RequestedAddressFamily.IPV6})
    void requestedAndAdditionalFamilyGets400(int requested) throws Exception {
        try (TurnTestSession s = alice()) {
            s.fail(s.send(allocateRequest(new RequestedAddressFamily(requested),
                    new AdditionalAddressFamily(RequestedAddressFamily.IPV6))), 400);
        }
    }

    /** §7.2: ADDITIONAL-ADDRESS-FAMILY IPv4 (or anything but IPv6) → 400. */
    @ParameterizedTest
    @ValueSource(ints = {RequestedAddressFamily.IPV4, 0x03})
    void additionalFamilyOtherThanIpv6Gets400(int family) throws Exception {
        try (TurnTestSession s = alice()) {
            s.fail(s.send(allocateRequest(new AdditionalAddressFamily(family))), 400);
        }
    }

    /** Dual allocation: ADDITIONAL-ADDRESS-FAMILY IPv6 → an IPv4 and an IPv6 XOR-RELAYED-ADDRESS, both usable. */
    @Test
    void dualAllocationGetsTwoRelayedAddresses() throws Exception {
        try (TurnTestSession s = alice();
             UdpPeer peer4 = UdpPeer.on("127.0.0.1");
             UdpPeer peer6 = UdpPeer.on("::1")) {
            StunMessage response = s.succeed(s.send(allocateRequest(
                    new AdditionalAddressFamily(RequestedAddressFamily.IPV6))));
            List<XorRelayedAddress> relayed = response.attributes(XorRelayedAddress.class);
            assertEquals(2, relayed.size(), response::toString);
            assertInstanceOf(Inet4Address.class, relayed.get(0).address().getAddress(), "IPv4 first");
            assertInstanceOf(Inet6Address.class, relayed.get(1).address().getAddress());
            assertFalse(response.has(AttributeType.ADDRESS_ERROR_CODE));
            s.createPermission(peer4.address(), peer6.address());
            s.channelBind(0x4001, peer4.address());
            s.channelBind(0x4002, peer6.address());
            s.assertChannelRoundTrip(0x4001, peer4, relayed.get(0).address());
            s.assertChannelRoundTrip(0x4002, peer6, relayed.get(1).address());
        }
    }

    /**
     * EVEN-PORT with R=1 → an even relayed port and a RESERVATION-TOKEN; an Allocate (another client) with that token
     * gets port + 1 on the same address; the token is single-use.
     */
    @Test
    void evenPortReservesTheNextPort() throws Exception {
        try (TurnTestSession first = alice(); TurnTestSession second = alice(); TurnTestSession third = alice()) {
            StunMessage response = first.succeed(first.send(allocateRequest(new EvenPort(true))));
            InetSocketAddress relayed = TurnTestSession.relayed(response, false);
            assertEquals(0, relayed.getPort() % 2, "even port: " + relayed);
            ReservationToken token = response.attribute(ReservationToken.class).orElseThrow();
            StunMessage paired = second.succeed(second.send(allocateRequest(token)));
            InetSocketAddress odd = TurnTestSession.relayed(paired, false);
            assertEquals(relayed.getAddress(), odd.getAddress());
            assertEquals(relayed.getPort() + 1, odd.getPort());
            assertFalse(paired.has(AttributeType.RESERVATION_TOKEN));
            third.fail(third.send(allocateRequest(token)), 508);
        }
    }

    /**
     * The reserved port is held by a socket until the token claims it: another socket (here, another process's
     * stand-in) cannot take it meanwhile, so the claiming Allocate never fails with 508 for a port taken in between
     * (the intermittent 508 of coturn's uclient, whose RTCP allocation claims the reservation). After the claim the
     * port belongs to the new allocation, and once that is gone it can be bound again.
     */
    @Test
    void reservedPortIsHeldUntilClaimed() throws Exception {
        try (TurnTestSession first = alice(); TurnTestSession second = alice()) {
            StunMessage response = first.succeed(first.send(allocateRequest(new EvenPort(true))));
            InetSocketAddress relayed = TurnTestSession.relayed(response, false);
            InetSocketAddress reserved = new InetSocketAddress(relayed.getAddress(), relayed.getPort() + 1);
            assertThrows(java.net.BindException.class, () -> new java.net.DatagramSocket(reserved).close(),
                    "the reserved port " + reserved + " must be held by the server");
            ReservationToken token = response.attribute(ReservationToken.class).orElseThrow();
            StunMessage paired = second.succeed(second.send(allocateRequest(token)));
            assertEquals(reserved, TurnTestSession.relayed(paired, false));
            second.succeed(second.send(request(Method.REFRESH).add(new Lifetime(0))));
            // The server answers the Refresh first and then closes the relay socket, on the same loop and before it
            // reads the next request: once a later request is answered (437, the allocation is gone), the port is free.
            second.fail(second.send(request(Method.REFRESH).add(new Lifetime(0))), 437);
            new java.net.DatagramSocket(reserved).close();
        }
    }

    @Test
    void evenPortWithoutReservationGetsEvenPortAndNoToken() throws Exception {
        try (TurnTestSession s = alice()) {
            StunMessage response = s.succeed(s.send(allocateRequest(new EvenPort(false))));
            assertEquals(0, TurnTestSession.relayed(response, false).getPort() % 2);
            assertFalse(response.has(AttributeType.RESERVATION_TOKEN));
        }
    }

    /** §7.2: min(requested, max 3600), but never below the default 600. */
    @ParameterizedTest
    @CsvSource({"100000,3600", "4294967295,3600", "3600,3600", "1800,1800", "601,601", "600,600", "10,600",
            "0,600"})
    void lifetimeIsClamped(long requested, long granted) throws Exception {
        try (TurnTestSession s = alice()) {
            StunMessage response = s.succeed(s.send(allocateRequest(new Lifetime(requested))));
            assertEquals(granted, response.attribute(Lifetime.class).orElseThrow().seconds());
        }
    }

    /** A server whose only relay address is IPv4. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Ipv4OnlyRelay {
        private TestServer v4;

        @BeforeAll
        void start(@TempDir Path own) throws Exception {
            v4 = TurnFixture.start(own, Map.of("relay.addresses", "127.0.0.1"));
        }

        @AfterAll
        void stop() {
            v4.close();
        }

        private TurnTestSession session() throws Exception {
            TurnTestSession s = TurnTestSession.open(v4.udp4(), false, TurnFixture.USER, TurnFixture.PASSWORD,
                    Options.browser());
            s.challenge();
            return s;
        }

        /** §7.2 step 6: IPv6 requested, no IPv6 relay → 440. */
        @Test
        void ipv6RequestedGets440() throws Exception {
            try (TurnTestSession s = session()) {
                s.fail(s.send(allocateRequest(new RequestedAddressFamily(RequestedAddressFamily.IPV6))), 440);
                s.succeed(s.send(allocateRequest(new RequestedAddressFamily(RequestedAddressFamily.IPV4))));
            }
        }

        /** Over the IPv6 listener too: the client's family does not decide the relay's. */
        @Test
        void ipv6RequestedOverIpv6ListenerGets440() throws Exception {
            try (TurnTestSession s = TurnTestSession.open(v4.udp6(), false, TurnFixture.USER, TurnFixture.PASSWORD,
                    Options.browser())) {
                s.challenge();
                s.fail(s.send(allocateRequest(new RequestedAddressFamily(RequestedAddressFamily.IPV6))), 440);
                StunMessage ok = s.succeed(s.send(allocateRequest()));
                assertInstanceOf(Inet4Address.class, TurnTestSession.relayed(ok, false).getAddress());
            }
        }

        /** Dual requested, no IPv6 relay → success with the IPv4 relay and ADDRESS-ERROR-CODE 440 for IPv6. */
        @Test
        void dualWithoutIpv6RelayGetsAddressErrorCode() throws Exception {
            try (TurnTestSession s = session()) {
                StunMessage response = s.succeed(s.send(allocateRequest(
                        new AdditionalAddressFamily(RequestedAddressFamily.IPV6))));
                List<XorRelayedAddress> relayed = response.attributes(XorRelayedAddress.class);
                assertEquals(1, relayed.size());
                assertInstanceOf(Inet4Address.class, relayed.get(0).address().getAddress());
                AddressErrorCode error = response.attribute(AddressErrorCode.class).orElseThrow();
                assertEquals(RequestedAddressFamily.IPV6, error.family());
                assertEquals(440, error.code());
            }
        }
    }

    @Test
    void failedAllocateLeavesNoStateBehind() throws Exception {
        int before = server.server().allocations().registered();
        int active = server.server().allocations().active();
        try (TurnTestSession s = alice()) {
            for (DecodedMessage response : List.of(
                    s.send(request(Method.ALLOCATE)),
                    s.send(allocateRequest(new RequestedAddressFamily(3))),
                    s.send(request(Method.ALLOCATE).add(new RequestedTransport(6))))) {
                assertNotEquals(0, code(response.message()));
            }
            assertEquals(before, server.server().allocations().registered());
            assertEquals(active, server.server().allocations().active(), "quota slots are returned");
        }
    }
}
