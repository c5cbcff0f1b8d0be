package io.traverse.it;

import static io.traverse.it.TurnTestSession.allocateRequest;
import static io.traverse.it.TurnTestSession.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.auth.RestSecrets;
import io.traverse.it.TurnTestSession.Options;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.EvenPort;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.ReservationToken;
import io.traverse.stun.attr.XorPeerAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits on TURN state a client can make the server hold (issue 10): channels per allocation, the RFC 8656 channel
 * range, EVEN-PORT reservations and TURN REST users on the quota, a per-IP allocation cap, the REST credential TTL,
 * and Allocate step 8 and 5-tuple reuse. Each refusal asserts its error code.
 */
class TurnStateLimitsTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);

    private static TurnTestSession alice(TestServer server) throws Exception {
        return session(server, TurnFixture.USER, TurnFixture.PASSWORD);
    }

    private static TurnTestSession session(TestServer server, String user, String password) throws Exception {
        TurnTestSession s = TurnTestSession.open(server.udp4(), false, user, password, Options.modern());
        s.challenge();
        return s;
    }

    private static TurnTestSession rest(TestServer server, long expiry, String userId) throws Exception {
        String username = expiry + ":" + userId;
        // USERNAME, not USERHASH: a REST username cannot be found from its hash.
        TurnTestSession s = TurnTestSession.open(server.udp4(), false, username,
                RestSecrets.password(TurnFixture.REST_SECRET, username), Options.browser());
        s.challenge();
        return s;
    }

    @Test
    void channelsPerAllocationAreCappedWith508(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("relay.max-channels-per-allocation", "2"));
             TurnTestSession s = alice(server)) {
            s.allocate();
            s.channelBind(0x4000, new InetSocketAddress("127.0.0.1", 40001));
            s.channelBind(0x4001, new InetSocketAddress("127.0.0.1", 40002));
            s.fail(s.request(Method.CHANNEL_BIND, new ChannelNumber(0x4002),
                    new XorPeerAddress(new InetSocketAddress("127.0.0.1", 40003))), 508);
            // Refreshing an existing binding is not a new one: still allowed at the cap.
            s.channelBind(0x4001, new InetSocketAddress("127.0.0.1", 40002));
        }
    }

    @Test
    void channelNumbersAbove0x4fffNeedTheLegacySwitch(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir);
             TurnTestSession s = alice(server)) {
            s.allocate();
            // RFC 8656 §11.2: "The channel number is in the range 0x4000 through 0x4FFF" else 400.
            s.fail(s.request(Method.CHANNEL_BIND, new ChannelNumber(0x5000), new XorPeerAddress(PEER)), 400);
            s.fail(s.request(Method.CHANNEL_BIND, new ChannelNumber(0x7FFF), new XorPeerAddress(PEER)), 400);
            s.channelBind(0x4FFF, PEER);
            // ChannelData framing follows the switch too: a frame on 0x5000 is malformed, not an unknown channel.
            double malformed = server.metrics().droppedCount(DropReason.MALFORMED);
            s.sendChannelData(0x5000, new byte[] {1, 2, 3, 4});
            StunMessage binding = s.client().exchange(StunEncoder.encode(StunMessage.builder(
                    MessageType.request(Method.BINDING), TransactionId.random()).build()));
            assertEquals(MessageType.successResponse(Method.BINDING), binding.type());
            assertEquals(1, server.metrics().droppedCount(DropReason.MALFORMED) - malformed);
        }
        try (TestServer server = TurnFixture.start(java.nio.file.Files.createDirectories(dir.resolve("legacy")),
                Map.of("relay.legacy-channel-numbers", "true"));
             TurnTestSession s = alice(server)) {
            s.allocate();
            s.channelBind(0x7FFF, PEER);
        }
    }

    @Test
    void channelBindToPortZeroGets400(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir);
             TurnTestSession s = alice(server)) {
            s.allocate();
            s.fail(s.request(Method.CHANNEL_BIND, new ChannelNumber(0x4000),
                    new XorPeerAddress(new InetSocketAddress("127.0.0.1", 0))), 400);
        }
    }

    @Test
    void evenPortReserveWithAdditionalFamilyGets400(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir);
             TurnTestSession s = alice(server)) {
            // RFC 8656 §7.2 step 8.
            s.fail(s.request(Method.ALLOCATE, new RequestedTransport(RequestedTransport.UDP), new EvenPort(true),
                    new AdditionalAddressFamily(RequestedAddressFamily.IPV6)), 400);
            assertEquals(0, server.server().allocations().active());
        }
    }

    @Test
    void evenPortReservationCountsAgainstTheUsersQuota(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("relay.max-allocations-per-user", "2"));
             TurnTestSession a1 = alice(server);
             TurnTestSession a2 = alice(server)) {
            a1.allocate(new EvenPort(true));
            assertEquals(2, server.server().allocations().activeFor(TurnFixture.USER),
                    "the allocation and the reserved port");
            a2.fail(a2.send(allocateRequest()), 486);
        }
    }

    /**
     * A token claimed by a user whose quota is full: 486, and the reserved port is given up entirely (its holding
     * socket closed, the port back in the pool), not held until the reservation lapses.
     */
    @Test
    void aClaimRefusedByTheQuotaFreesTheReservedPort(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("relay.max-allocations-per-user", "2"));
             TurnTestSession a = alice(server);
             TurnTestSession b1 = session(server, TurnFixture.USER2, TurnFixture.PASSWORD2);
             TurnTestSession b2 = session(server, TurnFixture.USER2, TurnFixture.PASSWORD2);
             TurnTestSession b3 = session(server, TurnFixture.USER2, TurnFixture.PASSWORD2)) {
            StunMessage reserving = a.allocate(new EvenPort(true));
            InetSocketAddress relayed = TurnTestSession.relayed(reserving, false);
            InetSocketAddress reserved = new InetSocketAddress(relayed.getAddress(), relayed.getPort() + 1);
            b1.allocate();
            b2.allocate();
            b3.fail(b3.send(allocateRequest(reserving.attribute(ReservationToken.class).orElseThrow())), 486);
            // The holding socket lives on the reserving client's loop and closes there, maybe just after the answer.
            assertTrue(bindableWithin(reserved, Duration.ofSeconds(2)), "reserved port still held: " + reserved);
        }
    }

    /** Whether a UDP socket can bind {@code address} before {@code limit} passes. */
    private static boolean bindableWithin(InetSocketAddress address, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        do {
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket(address)) {
                return true;
            } catch (java.net.SocketException held) {
                Thread.sleep(10);
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    @Test
    void restUsersShareOneQuotaWhateverTheirExpiry(@TempDir Path dir) throws Exception {
        long now = Instant.now().getEpochSecond();
        try (TestServer server = TurnFixture.start(dir, Map.of("relay.max-allocations-per-user", "1"));
             TurnTestSession first = rest(server, now + 3600, "carol");
             TurnTestSession second = rest(server, now + 7200, "carol");
             TurnTestSession other = rest(server, now + 3600, "dave")) {
            first.allocate();
            // A freshly minted credential for the same user id gets no fresh quota.
            second.fail(second.send(allocateRequest()), 486);
            other.allocate();
            assertEquals(1, server.server().allocations().activeFor("carol"));
        }
    }

    @Test
    void restCredentialBeyondTheMaximumTtlGets401(@TempDir Path dir) throws Exception {
        long now = Instant.now().getEpochSecond();
        try (TestServer server = TurnFixture.start(dir, Map.of("auth.rest-max-ttl", "1d"))) {
            try (TurnTestSession tooLong = rest(server, now + Duration.ofDays(2).getSeconds(), "erin")) {
                assertEquals(401, TurnTestSession.code(tooLong.send(allocateRequest()).message()));
            }
            try (TurnTestSession fine = rest(server, now + Duration.ofHours(20).getSeconds(), "erin")) {
                fine.allocate();
            }
        }
    }

    @Test
    void allocationsPerSourceIpAreCapped(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("relay.max-allocations-per-ip", "2"));
             TurnTestSession a = alice(server);
             TurnTestSession b = session(server, TurnFixture.USER2, TurnFixture.PASSWORD2);
             TurnTestSession c = session(server, TurnFixture.USER2, TurnFixture.PASSWORD2)) {
            a.allocate();
            b.allocate();
            c.fail(c.send(allocateRequest()), 486);
            a.succeed(a.send(request(Method.REFRESH).add(new Lifetime(0))));
            c.allocate();
        }
    }

    @Test
    void anExpiredButUnsweptAllocationDoesNotBlockItsFiveTuple(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of(
                "relay.allocation-lifetime.default", "1s", "relay.allocation-lifetime.max", "1s"));
             TurnTestSession s = alice(server)) {
            s.allocate();
            // The sweep runs every 5 s; after 1.5 s the allocation has expired but is still registered.
            Thread.sleep(1500);
            assertEquals(1, server.server().allocations().registered());
            s.allocate();
            assertEquals(1, server.server().allocations().registered());
        }
    }
}
