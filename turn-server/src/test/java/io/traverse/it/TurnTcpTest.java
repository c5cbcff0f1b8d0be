package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.traverse.it.TurnTestSession.Options;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.StunDecoder;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TCP as client transport (RFC 8656 §3.1): Allocate, relaying with padded ChannelData (§12.5) and Data indications,
 * and the allocation's end when the connection closes (its 5-tuple is gone).
 */
class TurnTcpTest {
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

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void allocateRelayAndCloseOverTcp(boolean ipv6) throws Exception {
        int before = server.server().allocations().registered();
        InetSocketAddress relayed;
        try (TurnTestSession s = TurnTestSession.open(ipv6 ? server.tcp6() : server.tcp4(), true, TurnFixture.USER,
                TurnFixture.PASSWORD, Options.modern());
             UdpPeer peer = UdpPeer.on(ipv6 ? "::1" : "127.0.0.1");
             UdpPeer unbound = UdpPeer.on(ipv6 ? "::1" : "127.0.0.1")) {
            StunMessage allocated = s.allocate(new RequestedAddressFamily(ipv6 ? 2 : 1));
            relayed = TurnTestSession.relayed(allocated, ipv6);
            assertEquals(before + 1, server.server().allocations().registered());
            s.createPermission(peer.address());
            s.channelBind(0x4000, peer.address());
            s.assertChannelRoundTrip(0x4000, peer, relayed);

            // A peer with a permission but no channel: its data arrives as a Data indication (§11.3).
            byte[] hello = "no channel, 23 bytes ok".getBytes(StandardCharsets.UTF_8);
            unbound.send(relayed, hello);
            StunMessage data = StunDecoder.decode(s.client().receiveRaw()).message();
            assertEquals(MessageType.indication(Method.DATA), data.type());
            assertEquals(unbound.address(), data.attribute(XorPeerAddress.class).orElseThrow().address());
            assertArrayEquals(hello, data.attribute(Data.class).orElseThrow().data());

            // And a Send indication reaches that peer from the relayed address (§10.2).
            byte[] out = "via Send".getBytes(StandardCharsets.UTF_8);
            s.sendIndication(unbound.address(), out);
            UdpPeer.Received received = unbound.receive();
            assertEquals(relayed, received.sender());
            assertArrayEquals(out, received.data());

            // While the allocation lives, its relay port is taken.
            assertThrows(SocketException.class, () -> new DatagramSocket(relayed).close());
        }
        // Closing the connection ends the allocation and frees its relay socket.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.server().allocations().registered() > before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before, server.server().allocations().registered());
        bindEventually(relayed);
    }

    /**
     * A client that sends an Allocate and closes the connection at once: whether the close overtakes the relay bind
     * or not, no allocation may outlive the connection (it would hold a relay port and a quota slot for its whole
     * lifetime with nobody to reach). A dual allocation binds two sockets one after the other, which makes the
     * close overtake the binding in most rounds (about 80 % before the fix in AllocateHandler).
     */
    @Test
    void connectionClosedRightAfterAllocateLeavesNoAllocation() throws Exception {
        int before = server.server().allocations().registered();
        int active = server.server().allocations().active();
        for (int round = 0; round < 20; round++) {
            TurnTestSession s = TurnTestSession.open(server.tcp4(), true, TurnFixture.USER, TurnFixture.PASSWORD,
                    Options.browser());
            s.challenge();
            s.client().sendRaw(s.sign(TurnTestSession.allocateRequest(
                    new AdditionalAddressFamily(RequestedAddressFamily.IPV6))));
            s.close();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((server.server().allocations().registered() > before || server.server().allocations().active() > active)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before, server.server().allocations().registered(), "allocations outlived their connection");
        assertEquals(active, server.server().allocations().active(), "quota slots not returned");
    }

    private static void bindEventually(InetSocketAddress address) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (;;) {
            try (DatagramSocket socket = new DatagramSocket(address)) {
                return;
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("relay socket " + address + " still bound after the allocation ended", e);
                }
                Thread.sleep(10);
            }
        }
    }
}
