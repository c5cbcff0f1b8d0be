package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.turn.Allocation;
import io.traverse.turn.BindResult;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The NIO fallback ({@code server.io: nio}): relay sockets stay Netty channels ({@link ChannelRelayEndpoint}) and
 * relay both ways like the epoll ones, on real loopback sockets.
 */
class NioRelaySocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int CHANNEL = 0x4001;

    private final TraverseMetrics metrics = TraverseMetrics.inMemory();
    private final TurnClock clock = TurnClock.system();
    private EventLoopGroup group;
    private EventLoop loop;
    private DatagramSocket client;
    private DatagramSocket peer;
    private RelayEndpoint relay;

    @BeforeEach
    void start() throws Exception {
        group = IoTransport.NIO.newEventLoopGroup(1);
        loop = group.next();
        Channel listener = new Bootstrap().group(loop)
                .channelFactory(() -> IoTransport.NIO.newDatagramChannel(LOOPBACK))
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress(LOOPBACK, 0)).sync()
                .channel();
        client = socket();
        peer = socket();
        InetSocketAddress clientAddress = (InetSocketAddress) client.getLocalSocketAddress();
        FiveTuple tuple = new FiveTuple(TransportProtocol.UDP, clientAddress,
                (InetSocketAddress) listener.localAddress());
        RelaySession session = new RelaySession(new UdpClientLink(listener, new RoundFlush(listener), tuple), false);
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            port = probe.getLocalPort(); // a free port: relay sockets are bound at ports of the relay range
        }
        RelaySockets sockets = new RelaySockets(IoTransport.NIO, clock, metrics);
        relay = onLoop(() -> sockets.bind(session, new InetSocketAddress(LOOPBACK, port), false))
                .get(5, TimeUnit.SECONDS);
        assertTrue(relay instanceof ChannelRelayEndpoint, "on NIO a relay socket is a Netty channel: " + relay);
        assertEquals(port, relay.port());
        long now = clock.nanos();
        Allocation allocation = Allocation.builder(tuple, "alice").transactionId(new byte[12])
                .relay(new InetSocketAddress(LOOPBACK, port)).relayHandle(session).build(now);
        assertEquals(BindResult.BOUND, allocation.bindChannel(CHANNEL, address(peer), now));
        session.allocation(allocation);
    }

    @AfterEach
    void stop() {
        client.close();
        peer.close();
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

    private static byte[] receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
        socket.receive(packet);
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    @Test
    void relaysBothWays() throws Exception {
        byte[] payload = {1, 2, 3};
        peer.send(new DatagramPacket(payload, payload.length, new InetSocketAddress(LOOPBACK, relay.port())));
        assertArrayEquals(new byte[] {0x40, 0x01, 0, 3, 1, 2, 3}, receive(client), "peer -> client as ChannelData");

        ByteBuf frame = Unpooled.directBuffer(8).writeBytes(new byte[] {0x40, 0x01, 0, 2, 7, 8});
        onLoop(() -> {
            relay.send(frame, 4, 2, address(peer));
            relay.flush();
            return null;
        });
        assertArrayEquals(new byte[] {7, 8}, receive(peer), "client -> peer: the payload");
        for (int i = 0; i < 500 && frame.refCnt() > 1; i++) {
            Thread.sleep(10); // the channel releases its slice once written
        }
        assertEquals(1, frame.refCnt(), "the channel gave its reference back");
        frame.release();
    }
}
