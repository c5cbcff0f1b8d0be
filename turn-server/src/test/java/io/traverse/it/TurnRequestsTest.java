package io.traverse.it;

import static io.traverse.it.TurnTestSession.allocateRequest;
import static io.traverse.it.TurnTestSession.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.traverse.it.TurnTestSession.Options;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.XorPeerAddress;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Refresh (RFC 8656 §8), CreatePermission (§9) and ChannelBind (§11) against the real server: 437 without an
 * allocation, 441 for another user's credentials on the 5-tuple, 443 family mismatches, 400 for missing or bad
 * attributes, and the channel binding rules.
 */
class TurnRequestsTest {
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

    private static TurnTestSession alice(boolean tcp) throws Exception {
        TurnTestSession s = TurnTestSession.open(tcp ? server.tcp4() : server.udp4(), tcp, TurnFixture.USER,
                TurnFixture.PASSWORD, Options.modern());
        s.challenge();
        return s;
    }

    private static TurnTestSession allocated() throws Exception {
        TurnTestSession s = alice(false);
        s.allocate();
        return s;
    }

    private static InetSocketAddress peer(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** §8.2, §9.2, §11.2: a request on a 5-tuple without allocation → 437. */
    @ParameterizedTest
    @ValueSource(strings = {"REFRESH", "CREATE_PERMISSION", "CHANNEL_BIND"})
    void noAllocationGets437(String method) throws Exception {
        for (boolean tcp : List.of(false, true)) {
            try (TurnTestSession s = alice(tcp)) {
                s.fail(s.send(withRequiredAttributes(method)), 437);
            }
        }
    }

    private static StunMessage.Builder withRequiredAttributes(String method) {
        switch (method) {
            case "REFRESH":
                return request(Method.REFRESH);
            case "CREATE_PERMISSION":
                return request(Method.CREATE_PERMISSION).add(new XorPeerAddress(peer(5000)));
            default:
                return request(Method.CHANNEL_BIND).add(new ChannelNumber(0x4000)).add(new XorPeerAddress(peer(5000)));
        }
    }

    /** §8.2: LIFETIME 0 deletes the allocation; later requests on the 5-tuple get 437, a new Allocate works. */
    @Test
    void refreshWithLifetimeZeroDeletes() throws Exception {
        int before = server.server().allocations().registered();
        try (TurnTestSession s = allocated()) {
            assertEquals(before + 1, server.server().allocations().registered());
            StunMessage response = s.succeed(s.send(request(Method.REFRESH).add(new Lifetime(0))));
            assertEquals(0, response.attribute(Lifetime.class).orElseThrow().seconds());
            assertEquals(before, server.server().allocations().registered());
            s.fail(s.send(request(Method.CREATE_PERMISSION).add(new XorPeerAddress(peer(5000)))), 437);
            s.fail(s.send(request(Method.REFRESH)), 437);
            s.fail(s.send(request(Method.REFRESH).add(new Lifetime(0))), 437);
            s.allocate();
        }
    }

    @ParameterizedTest
    @CsvSource({"100000,3600", "1200,1200", "10,600"})
    void refreshLifetimeIsClamped(long requested, long granted) throws Exception {
        try (TurnTestSession s = allocated()) {
            StunMessage response = s.succeed(s.send(request(Method.REFRESH).add(new Lifetime(requested))));
            assertEquals(granted, response.attribute(Lifetime.class).orElseThrow().seconds());
        }
        try (TurnTestSession s = allocated()) {
            StunMessage response = s.succeed(s.send(request(Method.REFRESH)));
            assertEquals(600, response.attribute(Lifetime.class).orElseThrow().seconds());
        }
    }

    /**
     * RFC 8656 §5: requests on an allocation's 5-tuple must use the credentials that created it; bob's (valid)
     * credentials on alice's 5-tuple → 441, protected with bob's key; alice's allocation is untouched.
     */
    @ParameterizedTest
    @ValueSource(strings = {"REFRESH", "CREATE_PERMISSION", "CHANNEL_BIND"})
    void otherUsersCredentialsGet441(String method) throws Exception {
        try (TurnTestSession alice = allocated()) {
            TurnTestSession bob = new TurnTestSession(alice.client(), TurnFixture.USER2, TurnFixture.PASSWORD2,
                    Options.browser()).adoptChallenge(alice);
            StunMessage.Builder request = withRequiredAttributes(method);
            if (method.equals("REFRESH")) {
                request.add(new Lifetime(0)); // would delete the allocation if accepted
            }
            bob.fail(bob.send(request), 441);
            // alice's allocation is still there and hers
            alice.succeed(alice.send(withRequiredAttributes(method)));
        }
    }

    /** §8.2: REQUESTED-ADDRESS-FAMILY in a Refresh that does not match the allocation → 443. */
    @Test
    void refreshWithMismatchedFamilyGets443() throws Exception {
        try (TurnTestSession s = allocated()) {
            s.fail(s.send(request(Method.REFRESH).add(new RequestedAddressFamily(RequestedAddressFamily.IPV6))), 443);
            s.succeed(s.send(request(Method.REFRESH).add(new RequestedAddressFamily(RequestedAddressFamily.IPV4))));
        }
        try (TurnTestSession s = alice(false)) {
            s.allocate(new RequestedAddressFamily(RequestedAddressFamily.IPV6));
            s.fail(s.send(request(Method.REFRESH).add(new RequestedAddressFamily(RequestedAddressFamily.IPV4))), 443);
            s.succeed(s.send(request(Method.REFRESH).add(new RequestedAddressFamily(RequestedAddressFamily.IPV6))));
        }
    }

    /** §9.2: CreatePermission without XOR-PEER-ADDRESS → 400. */
    @Test
    void createPermissionWithoutPeerGets400() throws Exception {
        try (TurnTestSession s = allocated()) {
            s.fail(s.send(request(Method.CREATE_PERMISSION)), 400);
        }
    }

    /** §9.2: a peer of a family the allocation has no relay for → 443, and nothing is installed. */
    @Test
    void createPermissionWithOtherFamilyGets443() throws Exception {
        try (TurnTestSession s = allocated()) {
            s.fail(s.send(request(Method.CREATE_PERMISSION).add(new XorPeerAddress(
                    new InetSocketAddress("::1", 5000)))), 443);
            // one bad peer among good ones fails the whole request (§9.2: checked before any is installed)
            s.fail(s.send(request(Method.CREATE_PERMISSION).add(new XorPeerAddress(peer(5000)))
                    .add(new XorPeerAddress(new InetSocketAddress("::1", 5000)))), 443);
            s.createPermission(peer(5000), peer(5001));
        }
    }

    /** §11.2: ChannelBind without CHANNEL-NUMBER or XOR-PEER-ADDRESS → 400. */
    @ParameterizedTest
    @ValueSource(strings = {"CHANNEL-NUMBER", "XOR-PEER-ADDRESS"})
    void channelBindMissingAttributeGets400(String missing) throws Exception {
        try (TurnTestSession s = allocated()) {
            StunAttribute present = missing.equals("CHANNEL-NUMBER") ? new XorPeerAddress(peer(5000))
                    : new ChannelNumber(0x4000);
            s.fail(s.send(request(Method.CHANNEL_BIND).add(present)), 400);
        }
    }

    /**
     * §11.2: channel numbers outside 0x4000..0x4FFF → 400 (RFC 5766's 0x5000..0x7FFF only with
     * relay.legacy-channel-numbers, see TurnStateLimitsTest).
     */
    @ParameterizedTest
    @ValueSource(ints = {0x0000, 0x3FFF, 0x5000, 0x7FFF, 0x8000, 0xBFFF, 0xFFFF})
    void channelNumberOutOfRangeGets400(int number) throws Exception {
        try (TurnTestSession s = allocated()) {
            s.fail(s.send(request(Method.CHANNEL_BIND).add(new ChannelNumber(number))
                    .add(new XorPeerAddress(peer(5000)))), 400);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x4000, 0x4ABC, 0x4FFF})
    void channelNumberInRangeIsBound(int number) throws Exception {
        try (TurnTestSession s = allocated()) {
            s.channelBind(number, peer(5000));
        }
    }

    /** §11.2: channel bound to another peer → 400; peer bound to another channel → 400; same pair refreshes. */
    @Test
    void channelBindingRules() throws Exception {
        try (TurnTestSession s = alice(false); UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            InetSocketAddress relayed = TurnTestSession.relayed(s.allocate(), false);
            s.channelBind(0x4000, peer.address());
            InetSocketAddress samePortOtherIp = new InetSocketAddress("127.0.0.2", peer.address().getPort());
            InetSocketAddress sameIpOtherPort = new InetSocketAddress("127.0.0.1", peer.address().getPort() ^ 1);
            s.fail(s.send(request(Method.CHANNEL_BIND).add(new ChannelNumber(0x4000))
                    .add(new XorPeerAddress(sameIpOtherPort))), 400);
            s.fail(s.send(request(Method.CHANNEL_BIND).add(new ChannelNumber(0x4000))
                    .add(new XorPeerAddress(samePortOtherIp))), 400);
            s.fail(s.send(request(Method.CHANNEL_BIND).add(new ChannelNumber(0x4001))
                    .add(new XorPeerAddress(peer.address()))), 400);
            s.channelBind(0x4000, peer.address()); // rebind of the same pair: refresh
            s.channelBind(0x4001, sameIpOtherPort); // other peer on a free number: fine
            s.assertChannelRoundTrip(0x4000, peer, relayed);
        }
    }

    /** §11.2: a ChannelBind installs the permission itself; no CreatePermission is needed to relay. */
    @Test
    void channelBindAloneInstallsThePermission() throws Exception {
        try (TurnTestSession s = alice(false); UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            InetSocketAddress relayed = TurnTestSession.relayed(s.allocate(), false);
            s.channelBind(0x4321, peer.address());
            s.assertChannelRoundTrip(0x4321, peer, relayed);
        }
    }

    /**
     * Send indications and Data indications over UDP (§10, §11.3): a Send to a permitted peer arrives from the
     * relayed address; a peer with a permission but no channel answers as a Data indication; a peer whose IP has no
     * permission is dropped (and counted), as is ChannelData on an unbound channel.
     */
    @Test
    void indicationsAndSilentDrops() throws Exception {
        try (TurnTestSession s = alice(false);
             UdpPeer peer = UdpPeer.on("127.0.0.1");
             UdpPeer stranger = UdpPeer.on("127.0.0.2")) {
            InetSocketAddress relayed = TurnTestSession.relayed(s.allocate(), false);
            byte[] unpermitted = "no permission yet".getBytes(StandardCharsets.UTF_8);
            double noPermission = server.metrics().droppedCount(DropReason.NO_PERMISSION);
            s.sendIndication(peer.address(), unpermitted);
            awaitCount(DropReason.NO_PERMISSION, noPermission + 1);

            s.createPermission(peer.address());
            byte[] out = "send indication".getBytes(StandardCharsets.UTF_8);
            s.sendIndication(peer.address(), out);
            UdpPeer.Received received = peer.receive();
            assertEquals(relayed, received.sender());
            assertArrayEquals(out, received.data(), "the unpermitted Send was not delivered late");

            byte[] back = "data indication".getBytes(StandardCharsets.UTF_8);
            peer.send(relayed, back);
            StunMessage data = s.client().receive().message();
            assertEquals(MessageType.indication(Method.DATA), data.type());
            assertEquals(peer.address(), data.attribute(XorPeerAddress.class).orElseThrow().address());
            assertArrayEquals(back, data.attribute(Data.class).orElseThrow().data());

            stranger.send(relayed, "who am I".getBytes(StandardCharsets.UTF_8));
            awaitCount(DropReason.NO_PERMISSION, noPermission + 2);

            double unknownChannel = server.metrics().droppedCount(DropReason.UNKNOWN_CHANNEL);
            s.sendChannelData(0x4444, "unbound".getBytes(StandardCharsets.UTF_8));
            awaitCount(DropReason.UNKNOWN_CHANNEL, unknownChannel + 1);
        }
    }

    /** Deleting the allocation (LIFETIME 0) closes its relay socket and frees the port. */
    @Test
    void deletedAllocationFreesItsRelayPort() throws Exception {
        try (TurnTestSession s = alice(false)) {
            InetSocketAddress relayed = TurnTestSession.relayed(s.allocate(), false);
            assertThrows(SocketException.class, () -> new DatagramSocket(relayed).close());
            s.succeed(s.send(request(Method.REFRESH).add(new Lifetime(0))));
            long deadline = System.nanoTime() + 5_000_000_000L;
            for (;;) {
                try (DatagramSocket socket = new DatagramSocket(relayed)) {
                    break;
                } catch (SocketException e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("relay port still bound after LIFETIME 0", e);
                    }
                    Thread.sleep(10);
                }
            }
        }
    }

    private static void awaitCount(DropReason reason, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (server.metrics().droppedCount(reason) < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, server.metrics().droppedCount(reason), reason.tag());
    }
}
