package io.traverse.it;

import static io.traverse.it.TurnTestSession.allocateRequest;
import static io.traverse.it.TurnTestSession.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.it.TurnTestSession.Options;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.EvenPort;
import io.traverse.stun.attr.Lifetime;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay sockets bound ahead of Allocates ({@code relay.prebound-sockets}) on the wire: an allocation that took one
 * relays both ways, the pool stays within its bound however many allocations come and go, EVEN-PORT still binds its
 * own port, and draining closes the pool.
 */
class PreboundRelayTest {
    private static TurnTestSession alice(TestServer server) throws Exception {
        TurnTestSession s = TurnTestSession.open(server.udp4(), false, TurnFixture.USER, TurnFixture.PASSWORD,
                Options.modern());
        s.challenge();
        return s;
    }

    private static TestServer start(Path dir, int prebound) throws Exception {
        // One loop and one relay address: one pool, so the second Allocate takes a pooled socket.
        return TurnFixture.start(dir, Map.of("server.event-loops", "1", "relay.addresses", "127.0.0.1",
                "relay.prebound-sockets", Integer.toString(prebound)));
    }

    /** Waits for the pool's binds, which complete on the loop after the response (not a timing assertion). */
    private static void settle(LongSupplier gauge, long expected) throws InterruptedException {
        for (int i = 0; i < 1000 && gauge.getAsLong() != expected; i++) {
            Thread.sleep(5);
        }
        assertEquals(expected, gauge.getAsLong());
    }

    @Test
    void anAllocationOnAPooledSocketRelaysBothWays(@TempDir Path dir) throws Exception {
        try (TestServer server = start(dir, 2);
             TurnTestSession first = alice(server);
             TurnTestSession second = alice(server);
             UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            first.allocate(); // bound the old way; fills the pool
            settle(server.metrics()::preboundSockets, 2);
            StunMessage response = second.allocate(); // takes a pooled socket
            InetSocketAddress relayed = TurnTestSession.relayed(response, false);
            assertTrue(relayed.getPort() >= 61000, "a port of relay.port-range: " + relayed);
            second.channelBind(0x4000, peer.address());
            second.assertChannelRoundTrip(0x4000, peer, relayed);
        }
    }

    @Test
    void thePoolStaysWithinItsBoundAsAllocationsComeAndGo(@TempDir Path dir) throws Exception {
        try (TestServer server = start(dir, 3)) {
            for (int i = 0; i < 20; i++) {
                try (TurnTestSession s = alice(server)) {
                    s.allocate();
                    assertTrue(server.metrics().preboundSockets() <= 3, "pooled: " + server.metrics().preboundSockets());
                    s.succeed(s.send(request(Method.REFRESH).add(new Lifetime(0))));
                }
            }
            settle(server.metrics()::preboundSockets, 3);
        }
    }

    @Test
    void evenPortStillBindsItsOwnPort(@TempDir Path dir) throws Exception {
        try (TestServer server = start(dir, 4);
             TurnTestSession first = alice(server);
             TurnTestSession second = alice(server)) {
            first.allocate();
            settle(server.metrics()::preboundSockets, 4);
            StunMessage response = second.succeed(second.send(allocateRequest(new EvenPort(false))));
            assertEquals(0, TurnTestSession.relayed(response, false).getPort() % 2);
            assertEquals(4, server.metrics().preboundSockets(), "EVEN-PORT took no pooled socket");
        }
    }

    @Test
    void drainingClosesThePool(@TempDir Path dir) throws Exception {
        try (TestServer server = start(dir, 4);
             TurnTestSession s = alice(server)) {
            InetSocketAddress relayed = TurnTestSession.relayed(s.allocate(), false);
            settle(server.metrics()::preboundSockets, 4);
            server.server().startDraining();
            settle(server.metrics()::preboundSockets, 0);
            assertNotEquals(0, relayed.getPort());
            // the live allocation keeps its socket while draining
            s.succeed(s.send(request(Method.REFRESH).add(new Lifetime(600))));
        }
    }

    @Test
    void zeroBindsEveryRelaySocketOnDemand(@TempDir Path dir) throws Exception {
        try (TestServer server = start(dir, 0);
             TurnTestSession first = alice(server);
             TurnTestSession second = alice(server)) {
            first.allocate();
            second.allocate();
            assertEquals(0, server.metrics().preboundSockets());
        }
    }
}
