package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.Socket;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.turn.Allocation;
import io.traverse.turn.BindResult;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EpollRelaySocket} on real loopback sockets and a real epoll loop: a peer's datagram reaches the client (as
 * ChannelData built in place, or a Data indication), sends wait for the flush, unclaimed and oversized datagrams are
 * dropped and counted, close gives the port and the queued buffers back.
 */
class EpollRelaySocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int CHANNEL = 0x4001;

    private final TraverseMetrics metrics = TraverseMetrics.inMemory();
    private final TurnClock clock = TurnClock.system();
    private EventLoopGroup group;
    private EventLoop loop;
    /** The server's listener socket (the client link's channel). */
    private Channel listener;
    /** The TURN client and two peers: one with a channel, one with only a permission. */
    private DatagramSocket client;
    private DatagramSocket peer;
    private DatagramSocket otherPeer;
    private RelaySession session;
    private RelayEndpoint relay;

    @BeforeEach
    void start() throws Exception {
        assertEquals(IoTransport.EPOLL, IoTransport.select("auto"), "these sockets exist on Linux epoll only");
        group = IoTransport.EPOLL.newEventLoopGroup(1);
        loop = group.next();
        listener = new Bootstrap().group(loop).channelFactory(() -> IoTransport.EPOLL.newDatagramChannel(LOOPBACK))
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress(LOOPBACK, 0)).sync()
                .channel();
        client = socket();
        peer = socket();
        otherPeer = socket();
        InetSocketAddress clientAddress = (InetSocketAddress) client.getLocalSocketAddress();
        FiveTuple tuple = new FiveTuple(TransportProtocol.UDP, clientAddress,
                (InetSocketAddress) listener.localAddress());
        // The listener's queue as a UDP listener has it: sent with sendmmsg, outside the channel.
        RoundFlush roundFlush = new RoundFlush(listener, metrics);
        assertTrue(roundFlush.direct(), "on epoll the relayed datagrams bypass the listener's channel");
        session = new RelaySession(new UdpClientLink(listener, roundFlush, tuple), false);
        relay = onLoop(() -> EpollRelaySocket.open(loop, new InetSocketAddress(LOOPBACK, 0), 1 << 20, metrics))
                .get(5, TimeUnit.SECONDS);
        long now = clock.nanos();
        Allocation allocation = Allocation.builder(tuple, "alice").transactionId(new byte[12])
                .relay(new InetSocketAddress(LOOPBACK, relay.port())).relayHandle(session).build(now);
        assertEquals(BindResult.BOUND, allocation.bindChannel(CHANNEL, address(peer), now));
        assertTrue(allocation.installPermission(LOOPBACK, now));
        session.allocation(allocation);
    }

    @AfterEach
    void stop() {
        client.close();
        peer.close();
        otherPeer.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static DatagramSocket socket() throws Exception {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(5000);
        return socket;
    }

    private static InetSocketAddress address(DatagramSocket socket) {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    private void claim(boolean dontFragment) throws Exception {
        onLoop(() -> {
            relay.claim(session, new PeerToClient(session, clock, metrics), dontFragment);
            return null;
        });
    }

    private void peerSends(DatagramSocket from, byte[] payload) throws Exception {
        from.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(LOOPBACK, relay.port())));
    }

    private static byte[] receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
        socket.receive(packet);
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    @Test
    void aPeersDatagramReachesTheClientAsChannelDataOrDataIndication() throws Exception {
        claim(false);
        peerSends(peer, new byte[] {1, 2, 3, 4, 5});
        assertArrayEquals(new byte[] {0x40, 0x01, 0, 5, 1, 2, 3, 4, 5}, receive(client),
                "RFC 8656 §12.4: ChannelData, channel 0x4001, length 5, unpadded over UDP");
        peerSends(otherPeer, new byte[] {9, 8, 7});
        byte[] indication = receive(client);
        assertEquals(0x0017, ((indication[0] & 0xff) << 8) | (indication[1] & 0xff), "a Data indication (§11.5)");
        assertArrayEquals(new byte[] {9, 8, 7}, Arrays.copyOfRange(indication, indication.length - 4,
                indication.length - 1), "DATA carries the payload (padded to 4 bytes)");
        assertEquals(0, metrics.droppedCount(DropReason.NO_PERMISSION));
    }

    @Test
    void eachDatagramCarriesItsOwnPeerWhenPeersTakeTurns() throws Exception {
        // The relay socket keeps the last peer's address object; a datagram from another peer must not reuse it.
        assertTrue(NativeDatagrams.AVAILABLE, "the socket reads with Netty's recvmsg, which reports the peer's bits");
        claim(false);
        for (int round = 0; round < 3; round++) {
            peerSends(peer, new byte[] {1, (byte) round});
            assertArrayEquals(new byte[] {0x40, 0x01, 0, 2, 1, (byte) round}, receive(client),
                    "the peer with the channel: ChannelData");
            peerSends(otherPeer, new byte[] {2, (byte) round});
            byte[] indication = receive(client);
            assertEquals(0x0017, ((indication[0] & 0xff) << 8) | (indication[1] & 0xff),
                    "the other peer has no channel: a Data indication");
            assertEquals(otherPeer.getLocalPort(), xorPeerPort(indication),
                    "XOR-PEER-ADDRESS names the peer that sent this datagram");
        }
        assertEquals(0, metrics.droppedCount(DropReason.RELAY_SOCKET_ERROR));
    }

    /** The port of the XOR-PEER-ADDRESS attribute (0x0012) of a STUN message (RFC 8489 §14.2). */
    private static int xorPeerPort(byte[] message) {
        for (int at = 20; at + 4 <= message.length; ) {
            int type = ((message[at] & 0xff) << 8) | (message[at + 1] & 0xff);
            int length = ((message[at + 2] & 0xff) << 8) | (message[at + 3] & 0xff);
            if (type == 0x0012) {
                return (((message[at + 6] & 0xff) << 8) | (message[at + 7] & 0xff)) ^ 0x2112;
            }
            at += 4 + ((length + 3) & ~3);
        }
        throw new AssertionError("no XOR-PEER-ADDRESS");
    }

    @Test
    void anUnclaimedSocketDropsAndCountsWhatItReceives() throws Exception {
        peerSends(peer, new byte[] {1});
        for (int i = 0; i < 500 && metrics.droppedCount(DropReason.NO_ALLOCATION) < 1; i++) {
            Thread.sleep(10);
        }
        assertEquals(1, metrics.droppedCount(DropReason.NO_ALLOCATION), "read and dropped: no allocation owns it");
        claim(false);
        peerSends(peer, new byte[] {2});
        assertArrayEquals(new byte[] {0x40, 0x01, 0, 1, 2}, receive(client), "only what came after the claim");
    }

    @Test
    void aDatagramLargerThanTheServerRelaysIsDroppedAndCounted() throws Exception {
        claim(false);
        peerSends(peer, new byte[Listeners.MAX_DATAGRAM + 1]);
        peerSends(peer, new byte[Listeners.MAX_DATAGRAM]);
        byte[] got = receive(client);
        assertEquals(4 + Listeners.MAX_DATAGRAM, got.length, "the largest relayed size passes whole");
        assertEquals(1, metrics.droppedCount(DropReason.ENCODE_FAILED), "the larger one is dropped, not truncated");
    }

    @Test
    void sendsLeaveAtTheFlushFromTheFramesOwnMemory() throws Exception {
        claim(false);
        ByteBuf frame = Unpooled.directBuffer(16).writeBytes(new byte[] {0x40, 0x01, 0, 3, 7, 8, 9, 0});
        boolean[] first = onLoop(() -> new boolean[] {
            relay.send(frame, 4, 3, address(peer)),
            relay.send(frame, 5, 2, address(otherPeer))});
        assertTrue(first[0], "the first send since a flush asks the caller to flush");
        assertFalse(first[1], "the second does not");
        assertEquals(3, frame.refCnt(), "each queued send holds a reference");
        peer.setSoTimeout(200);
        assertThrows(SocketTimeoutException.class, () -> receive(peer), "nothing leaves before the flush");
        peer.setSoTimeout(5000);
        onLoop(() -> {
            relay.flush();
            return null;
        });
        assertArrayEquals(new byte[] {7, 8, 9}, receive(peer));
        assertArrayEquals(new byte[] {8, 9}, receive(otherPeer));
        assertEquals(1, frame.refCnt(), "references given back once sent");
        frame.release();
    }

    @Test
    void aSendTheKernelRefusesIsDroppedAloneAndAnEmptyDatagramStillLeaves() throws Exception {
        claim(false);
        ByteBuf frame = Unpooled.directBuffer(16).writeBytes(new byte[] {0x40, 0x01, 0, 2, 7, 8, 0, 0});
        onLoop(() -> {
            relay.send(frame, 4, 1, address(peer));
            relay.send(frame, 4, 2, new InetSocketAddress(LOOPBACK, 0)); // port 0: EINVAL for this one only
            relay.send(frame, 4, 0, address(otherPeer)); // ChannelData with no data: an empty datagram
            relay.send(frame, 5, 1, address(peer));
            relay.flush();
            return null;
        });
        assertArrayEquals(new byte[] {7}, receive(peer), "the datagram before the refused one");
        assertArrayEquals(new byte[] {8}, receive(peer), "and the one after it");
        assertArrayEquals(new byte[0], receive(otherPeer), "RFC 8656 relays an empty DATA as an empty datagram");
        assertEquals(1, metrics.droppedCount(DropReason.RELAY_SOCKET_ERROR), "only the refused one is counted");
        assertEquals(1, frame.refCnt(), "every queued reference given back");
        frame.release();
    }

    @Test
    void aFrameInAHeapBufferIsCopiedOutOfIt() throws Exception {
        claim(false);
        ByteBuf frame = Unpooled.buffer(8).writeBytes(new byte[] {0x40, 0x01, 0, 2, 5, 6}); // as DTLS decrypts
        onLoop(() -> {
            relay.send(frame, 4, 2, address(peer));
            relay.flush();
            return null;
        });
        assertEquals(1, frame.refCnt(), "the heap frame is not kept");
        assertArrayEquals(new byte[] {5, 6}, receive(peer));
        frame.release();
    }

    @Test
    void dontFragmentSetsPathMtuDiscovery() throws Exception {
        claim(true);
        Socket fd = (Socket) ((EpollRelaySocket) relay).fd();
        assertEquals(2, fd.getIntOpt(0, 10), "IP_MTU_DISCOVER = IP_PMTUDISC_DO: DF on every datagram");
    }

    @Test
    void closeDropsQueuedSendsAndFreesThePort() throws Exception {
        claim(false);
        ByteBuf frame = Unpooled.directBuffer(8).writeBytes(new byte[] {0x40, 0x01, 0, 1, 7});
        onLoop(() -> relay.send(frame, 4, 1, address(peer)));
        onLoop(() -> {
            relay.close();
            relay.close(); // idempotent
            return null;
        });
        assertEquals(1, frame.refCnt(), "the queued send's reference is given back");
        assertFalse(relay.isOpen());
        frame.release();
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(LOOPBACK, relay.port()))) {
            assertEquals(relay.port(), again.getLocalPort(), "the port can be bound again");
        }
    }

    @Test
    void closeFromAnotherThreadRunsOnTheLoop() throws Exception {
        claim(false);
        relay.close(); // the test thread, as an admin-API deletion would
        onLoop(() -> null); // the close task ran before this one
        assertFalse(relay.isOpen());
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(LOOPBACK, relay.port()))) {
            assertEquals(relay.port(), again.getLocalPort(), "the descriptor is closed: the port can be bound again");
        }
    }

    @Test
    void aPortInUseFailsTheOpenWithEaddrinuse() throws Exception {
        ExecutionException failure = assertThrows(ExecutionException.class, () -> onLoop(() ->
                EpollRelaySocket.open(loop, new InetSocketAddress(LOOPBACK, relay.port()), 1 << 20, metrics))
                .get(5, TimeUnit.SECONDS));
        assertTrue(RelaySockets.addressInUse(failure.getCause()), failure.getCause().toString());
    }
}
