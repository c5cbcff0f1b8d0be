package io.traverse.transport;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationListener;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.BindResult;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.ReserveResult;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One registered allocation wired to {@link EmbeddedChannel}s, for the wire-layer tests: the client's channel (the UDP
 * listener socket or the client's TCP connection) and the relay socket, both counting their flushes. Every buffer the
 * code under test allocates comes from {@link #allocator}, which keeps them so a test can check each was released.
 */
final class RelayFixture {
    static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.10", 40000);
    static final InetSocketAddress SERVER = new InetSocketAddress("192.0.2.1", 3478);
    static final InetSocketAddress RELAY = new InetSocketAddress("192.0.2.1", 50000);
    /** Has a permission and channel {@link #CHANNEL}. */
    static final InetSocketAddress PEER = new InetSocketAddress("198.51.100.7", 6000);
    /** Has a permission, no channel: its datagrams go to the client as Data indications. */
    static final InetSocketAddress OTHER_PEER = new InetSocketAddress("198.51.100.8", 7000);
    /** Has no permission. */
    static final InetSocketAddress STRANGER = new InetSocketAddress("203.0.113.9", 8000);
    static final int CHANNEL = 0x4000;
    /** An RFC 5766-era channel number (0x5000-0x7FFF), bound to {@link #OTHER_PEER} with legacy numbers on. */
    static final int LEGACY_CHANNEL = 0x5000;
    private static final long NOW = 1_000_000_000L;

    final TurnClock clock = () -> NOW;
    final TraverseMetrics metrics = TraverseMetrics.inMemory();
    final AllocationRegistry registry = new AllocationRegistry(10, 10, AllocationListener.NOOP);
    final TrackingAllocator allocator = new TrackingAllocator();
    final FlushCounter clientFlushes = new FlushCounter();
    final EmbeddedChannel client = new EmbeddedChannel(clientFlushes);
    final ClientLink link;
    final RelaySession session;
    final Allocation allocation;

    /**
     * @param protocol UDP (the client's datagrams come through the shared listener socket) or TCP (its own
     *     connection: ChannelData is padded to 4 bytes)
     * @param legacyChannelNumbers whether the allocation accepts 0x5000-0x7FFF (then {@link #LEGACY_CHANNEL} is bound)
     */
    RelayFixture(TransportProtocol protocol, boolean legacyChannelNumbers) {
        client.config().setAllocator(allocator); // what the relay writes to the client comes from its channel
        FiveTuple tuple = new FiveTuple(protocol, CLIENT, SERVER);
        link = protocol == TransportProtocol.UDP ? new UdpClientLink(client, new RoundFlush(client), tuple)
                : new StreamClientLink(client, tuple);
        session = new RelaySession(link, false);
        allocation = Allocation.builder(tuple, "alice").transactionId(new byte[12]).relay(RELAY)
                .legacyChannelNumbers(legacyChannelNumbers)
                .relayHandle(session).build(NOW);
        ReserveResult reserved = registry.reserve("alice");
        require(registry.register(((ReserveResult.Granted) reserved).permit(), allocation)
                == AllocationRegistry.RegisterResult.REGISTERED, "register");
        require(allocation.bindChannel(CHANNEL, PEER, NOW) == BindResult.BOUND, "bind " + CHANNEL);
        require(allocation.installPermission(OTHER_PEER.getAddress(), NOW), "permission");
        if (legacyChannelNumbers) {
            require(allocation.bindChannel(LEGACY_CHANNEL, OTHER_PEER, NOW) == BindResult.BOUND, "bind legacy");
        }
        session.allocation(allocation);
    }

    RelayFixture(TransportProtocol protocol) {
        this(protocol, false);
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("fixture: " + what);
        }
    }

    /** The allocation's relay socket, with {@code handlers} and a flush counter, using {@link #allocator}. */
    EmbeddedChannel relaySocket(FlushCounter flushes, ChannelHandler... handlers) {
        EmbeddedChannel relay = new EmbeddedChannel(flushes);
        relay.pipeline().addLast(handlers);
        relay.config().setAllocator(allocator);
        session.relay(relay, RELAY.getPort(), false);
        return relay;
    }

    /** Reads and releases everything written and flushed on {@code channel}; returns it as it was read. */
    static List<Object> drain(EmbeddedChannel channel) {
        List<Object> all = new ArrayList<>();
        for (Object m; (m = channel.readOutbound()) != null;) {
            all.add(m);
        }
        return all;
    }

    static void release(List<Object> messages) {
        messages.forEach(ReferenceCountUtil::release);
    }

    /** Counts the flushes that reach it. */
    static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int flushes;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            ctx.flush();
        }
    }

    /** Unpooled buffers, each kept so a test can check that it was released. */
    static final class TrackingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();

        TrackingAllocator() {
            super(true);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return keep(UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return keep(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf keep(ByteBuf buf) {
            allocated.add(buf);
            return buf;
        }

        /** Buffers still referenced. */
        List<ByteBuf> unreleased() {
            List<ByteBuf> held = new ArrayList<>();
            for (ByteBuf b : allocated) {
                if (b.refCnt() > 0) {
                    held.add(b);
                }
            }
            return held;
        }
    }
}
