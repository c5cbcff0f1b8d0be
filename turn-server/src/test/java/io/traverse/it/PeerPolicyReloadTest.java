package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.traverse.client.AllocateOptions;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.config.ConfigLoader;
import io.traverse.it.TurnTestSession.Options;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.StunEncoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that tightens {@code peers.deny} applies to live state (issue 10): the permission and channel to a newly
 * denied peer are gone when {@code reload} returns (the SIGHUP path, TraverseMain calls it with the re-read file),
 * so ChannelData to it stops at once and new requests for it get 403; RFC 6062 connections to it are closed.
 */
class PeerPolicyReloadTest {
    @Test
    void tighteningDenyRemovesPermissionsAndChannelsToThePeer(@TempDir Path dir) throws Exception {
        Map<String, String> overrides = TurnFixture.overrides(dir);
        try (TestServer server = TestServer.start("", overrides);
             UdpPeer peer = UdpPeer.on("127.0.0.1");
             TurnTestSession s = TurnTestSession.open(server.udp4(), false, TurnFixture.USER, TurnFixture.PASSWORD,
                     Options.modern())) {
            s.challenge();
            InetSocketAddress relayed = TurnTestSession.relayed(s.allocate(), false);
            s.channelBind(0x4000, peer.address());
            s.assertChannelRoundTrip(0x4000, peer, relayed);

            Map<String, String> tightened = new HashMap<>(overrides);
            tightened.put("peers.deny", "127.0.0.1/32");
            server.server().reload(ConfigLoader.parse("", withTestListeners(server, tightened)));

            double dropped = droppedToPeer(server);
            s.sendChannelData(0x4000, "after the reload".getBytes(StandardCharsets.UTF_8));
            barrier(s);
            assertEquals(1, droppedToPeer(server) - dropped, "the ChannelData was dropped, not relayed");
            peer.send(relayed, "from a denied peer".getBytes(StandardCharsets.UTF_8));
            s.client().timeout(300);
            // Neither direction is relayed any more (the Binding barrier above ordered the loop's work).
            peer.timeout(300);
            assertThrows(SocketTimeoutException.class, peer::receive);
            assertThrows(SocketTimeoutException.class, () -> s.client().receiveRaw());
            s.client().timeout(3000);
            s.fail(s.request(Method.CREATE_PERMISSION, new XorPeerAddress(peer.address())), 403);
            s.fail(s.request(Method.CHANNEL_BIND, new ChannelNumber(0x4001), new XorPeerAddress(peer.address())),
                    403);
        }
    }

    /** RFC 6062: the relay's TCP connection to a newly denied peer is closed by the reload. */
    @Test
    void tighteningDenyClosesTcpConnectionsToThePeer(@TempDir Path dir) throws Exception {
        Map<String, String> overrides = TurnFixture.overrides(dir);
        try (TestServer server = TestServer.start("", overrides);
             TurnClient control = TurnClient.connect(Transport.TCP, server.tcp4());
             ServerSocket peerListener = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            control.allocate(TurnCredentials.password(TurnFixture.USER, TurnFixture.PASSWORD),
                    AllocateOptions.builder().tcpRelay(true).build());
            peerListener.setSoTimeout(5000);
            InetSocketAddress peer = (InetSocketAddress) peerListener.getLocalSocketAddress();
            control.request(Method.CONNECT, List.of(new XorPeerAddress(peer)));
            try (Socket peerSide = peerListener.accept()) {
                peerSide.setSoTimeout(5000);
                Map<String, String> tightened = new HashMap<>(overrides);
                tightened.put("peers.deny", "127.0.0.1/32");
                server.server().reload(ConfigLoader.parse("", withTestListeners(server, tightened)));
                assertEquals(-1, peerSide.getInputStream().read(), "the relay closed its connection to the peer");
                TurnErrorException refused = assertThrows(TurnErrorException.class,
                        () -> control.request(Method.CONNECT, List.of(new XorPeerAddress(peer))));
                assertEquals(403, refused.code());
            }
        }
    }

    /** The configuration as TestServer starts it: the reload sees the same listeners. */
    private static Map<String, String> withTestListeners(TestServer server, Map<String, String> overrides) {
        Map<String, String> all = new java.util.LinkedHashMap<>();
        all.put("listeners", TestServer.LOOPBACK_LISTENERS);
        all.put("admin.enabled", "false");
        all.put("server.event-loops", "2");
        all.putAll(overrides);
        return all;
    }

    private static double droppedToPeer(TestServer server) {
        return server.metrics().droppedCount(DropReason.UNKNOWN_CHANNEL)
                + server.metrics().droppedCount(DropReason.NO_PERMISSION);
    }

    /** A Binding round trip on the client's socket: everything it sent before has been handled. */
    private static void barrier(TurnTestSession s) throws Exception {
        StunMessage response = s.client().exchange(StunEncoder.encode(StunMessage.builder(
                MessageType.request(Method.BINDING), TransactionId.random()).build()));
        assertEquals(MessageType.successResponse(Method.BINDING), response.type());
    }
}
