package io.traverse.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.traverse.config.LimitsConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.transport.ClientLink;
import io.traverse.transport.IoTransport;
import io.traverse.transport.RelaySockets;
import io.traverse.transport.TcpRelaySockets;
import io.traverse.turn.AllocationListener;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.Lifetimes;
import io.traverse.turn.PortAllocator;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: a client link (a DTLS association here) that closes while its relay socket is being bound leaves no
 * allocation behind (RFC 8656 §3.1: the allocation is tied to the 5-tuple, which is gone): nothing registered, the
 * relay port back in the allocator and bindable again, the quota slot free.
 *
 * <p>The window is held open without a seam: {@link AllocateHandler} runs on the client's event loop, and the relay
 * bind it starts completes in a later task of that loop (Netty's {@code Bootstrap} always binds in a task of its
 * own). The test calls Allocate and closes the association in one task, so the bind is still pending when the link
 * goes; a no-op task submitted afterwards runs after the bind and its completion.
 */
class AllocateLinkClosedTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String USER = "alice";
    private static final byte[] KEY = new byte[16];

    private final TurnClock clock = TurnClock.system();
    private final TraverseMetrics metrics = TraverseMetrics.inMemory();
    private EventLoopGroup group;
    private EventLoop loop;
    private Channel listener;
    private AllocationRegistry registry;
    private PortAllocator ports;
    private int relayPort;
    private AllocateHandler handler;

    /** A DTLS client on the shared listener socket: its association can close while the socket stays up. */
    private final class AssociationLink implements ClientLink {
        final FiveTuple fiveTuple = new FiveTuple(TransportProtocol.DTLS, new InetSocketAddress(LOOPBACK, 40000),
                (InetSocketAddress) listener.localAddress());
        final List<StunMessage> written = new ArrayList<>();
        boolean established = true;

        @Override
        public FiveTuple fiveTuple() {
            return fiveTuple;
        }

        @Override
        public Channel channel() {
            return listener;
        }

        @Override
        public void write(ByteBuf buf) {
            try {
                written.add(StunDecoder.decode(ByteBufUtil.getBytes(buf)).message());
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                buf.release();
            }
        }

        @Override
        public boolean isOpen() {
            return established && listener.isActive();
        }

        @Override
        public boolean isStream() {
            return false;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        // Epoll, as the server runs on Linux: a closed socket's port is free at once (NIO frees it only at the
        // selector's next round). On Linux a missing native library is a failure, not a reason to skip.
        if (System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")) {
            assertTrue(Epoll.isAvailable(), () -> "native epoll unavailable: " + Epoll.unavailabilityCause());
        }
        assumeTrue(Epoll.isAvailable(), () -> "native epoll unavailable: " + Epoll.unavailabilityCause());
        IoTransport io = IoTransport.EPOLL;
        group = io.newEventLoopGroup(1);
        loop = group.next();
        listener = new Bootstrap().group(loop).channelFactory(() -> io.newDatagramChannel(LOOPBACK))
                .handler(new ChannelInboundHandlerAdapter()).bind(LOOPBACK, 0).sync().channel();
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            relayPort = probe.getLocalPort(); // a port free now: the relay range is this one port
        }
        ports = new PortAllocator(relayPort, relayPort, clock);
        registry = new AllocationRegistry(10, 1, AllocationListener.NOOP);
        StunResponder responder = new StunResponder(metrics, null);
        TcpRelay tcpRelay = new TcpRelay(new TcpRelaySockets(io), () -> null, responder, clock, metrics,
                LimitsConfig.TcpRelay.defaults());
        handler = new AllocateHandler(registry, new RelaySockets(io, clock, metrics), tcpRelay,
                List.of(new RelayFamily(LOOPBACK, LOOPBACK, ports)), Lifetimes.defaults(), false, clock, responder,
                metrics, new DrainState(null));
    }

    @AfterEach
    void tearDown() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly(); // closes the sockets too
        }
    }

    private static DecodedMessage allocateRequest() throws Exception {
        StunMessage request = StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP)).build();
        return StunDecoder.decode(StunEncoder.encode(request, Integrity.sha1(KEY), false));
    }

    /** Starts an Allocate on the loop; {@code thenClose}: the association closes in the same task. */
    private void allocate(AssociationLink link, boolean thenClose) throws Exception {
        DecodedMessage request = allocateRequest();
        Authenticator.Authenticated auth = new Authenticator.Authenticated(USER, "traverse.test", KEY,
                Integrity.sha1(KEY));
        loop.submit(() -> {
            handler.allocate(request, link, auth);
            // The relay socket is being bound: quota slot and port taken, nothing registered or answered yet.
            assertEquals(0, registry.registered(), "registered before the bind completed");
            assertEquals(1, registry.activeFor(USER), "the quota slot is held while binding");
            assertEquals(1, ports.inUse(), "the relay port is taken while binding");
            assertEquals(List.of(), link.written, "no answer before the bind completed");
            if (thenClose) {
                link.established = false; // close_notify, or the handshake timer gave up
            }
        }).sync();
        loop.submit(() -> { }).sync(); // after the bind's task and its listener
    }

    @Test
    void associationClosedDuringBindLeavesNoAllocation() throws Exception {
        AssociationLink link = new AssociationLink();
        allocate(link, true);

        assertEquals(0, registry.registered(), "no allocation registered");
        assertNull(registry.find(link.fiveTuple));
        assertEquals(0, registry.activeFor(USER), "the user's quota slot is released");
        assertEquals(0, registry.active(), "the server-wide slot is released");
        assertEquals(0, ports.inUse(), "the relay port is back in the allocator");
        assertEquals(List.of(), link.written, "nothing is sent to a closed association");
        assertDoesNotThrow(() -> new DatagramSocket(new InetSocketAddress(LOOPBACK, relayPort)).close(),
                "the relay socket is closed: its port can be bound again");
    }

    /** The same steps with the association up: the Allocate succeeds (so the test above fails for its reason). */
    @Test
    void associationUpGetsItsAllocation() throws Exception {
        AssociationLink link = new AssociationLink();
        allocate(link, false);

        assertNotNull(registry.find(link.fiveTuple));
        assertEquals(1, registry.activeFor(USER));
        assertEquals(1, ports.inUse());
        assertEquals(1, link.written.size());
        StunMessage response = link.written.get(0);
        assertEquals(MessageType.successResponse(Method.ALLOCATE), response.type(), response::toString);
        assertEquals(new InetSocketAddress(LOOPBACK, relayPort),
                response.attribute(XorRelayedAddress.class).orElseThrow().address());
    }
}
