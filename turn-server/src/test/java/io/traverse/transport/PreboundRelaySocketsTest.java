package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.testing.FreeUdpPorts;
import io.traverse.turn.PortAllocator;
import io.traverse.turn.TurnClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pool of relay sockets bound ahead of Allocates: its bound, its ports, what an unclaimed socket does. */
class PreboundRelaySocketsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final IoTransport io = IoTransport.select("auto");
    private final TraverseMetrics metrics = TraverseMetrics.inMemory();
    private EventLoopGroup group;
    private EventLoop loop;

    @BeforeEach
    void start() {
        group = io.newEventLoopGroup(1);
        loop = group.next();
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private PreboundRelaySockets pool(int target) {
        // The server's own sockets: on epoll registered directly with the loop, on NIO Netty channels.
        return new PreboundRelaySockets(target, metrics, new RelaySockets(io, TurnClock.system(), metrics)::open);
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    /** Waits until the loop's binds have completed and {@code done} holds (binds complete on the loop). */
    private void settle(BooleanSupplier done) throws Exception {
        for (int i = 0; i < 1000 && !onLoop(done::getAsBoolean); i++) {
            Thread.sleep(5);
        }
        assertTrue(onLoop(done::getAsBoolean), "the pool did not settle");
    }

    /** A relay range of {@code count} ports that are all free: the pool's arithmetic assumes no bind fails. */
    private static PortAllocator ports(int count) {
        int first = FreeUdpPorts.window(count);
        return new PortAllocator(first, first + count - 1, TurnClock.system());
    }

    @Test
    void fillsToItsTargetAndNeverBeyond() throws Exception {
        PortAllocator ports = ports(1000);
        PreboundRelaySockets pool = pool(3);
        assertNull(onLoop(() -> pool.take(loop, LOOPBACK, ports)), "nothing bound before the first Allocate");
        settle(() -> metrics.preboundSockets() == 3);
        for (int i = 0; i < 100; i++) { // pushes against the bound: every ended allocation asks for a top-up
            onLoop(() -> {
                pool.refill(loop);
                return null;
            });
        }
        settle(() -> ports.inUse() == 3);
        assertEquals(3, metrics.preboundSockets());

        Set<Integer> claimed = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            RelayEndpoint channel = onLoop(() -> pool.take(loop, LOOPBACK, ports));
            if (channel == null) { // the pool ran dry faster than it refills: what the fallback bind is for
                settle(() -> metrics.preboundSockets() > 0);
                continue;
            }
            assertTrue(channel.isOpen());
            int port = channel.port();
            assertTrue(port >= ports.minPort() && port <= ports.maxPort(), "port from the relay range: " + port);
            assertTrue(claimed.add(port), "each socket is handed out once");
            assertTrue(metrics.preboundSockets() <= 3);
        }
        int taken = claimed.size();
        onLoop(() -> {
            pool.refill(loop);
            return null;
        });
        settle(() -> metrics.preboundSockets() == 3 && ports.inUse() == taken + 3);
    }

    @Test
    void poolsTakeOnlyFromTheFreeHalfOfTheRangeAndGiveBackWhenItRunsOut() throws Exception {
        PortAllocator ports = ports(10);
        PreboundRelaySockets pool = pool(8);
        assertNull(onLoop(() -> pool.take(loop, LOOPBACK, ports)));
        settle(() -> metrics.preboundSockets() == 5);
        assertEquals(5, ports.available(), "half of the 10 ports stay for binds");
        List<RelayEndpoint> claimed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            claimed.add(onLoop(() -> pool.take(loop, LOOPBACK, ports)));
        }
        assertTrue(claimed.stream().allMatch(c -> c != null && c.isOpen()));
        onLoop(() -> {
            pool.refill(loop);
            return null;
        });
        assertEquals(0, metrics.preboundSockets(), "no refill while half the range is in use");
        assertEquals(5, ports.available());

        onLoop(() -> {
            claimed.forEach(RelayEndpoint::close);
            return null;
        });
        claimed.forEach(c -> ports.release(c.port()));
        onLoop(() -> {
            pool.refill(loop);
            return null;
        });
        settle(() -> metrics.preboundSockets() == 5);
        pool.release(LOOPBACK); // an Allocate found the range exhausted
        settle(() -> metrics.preboundSockets() == 0 && ports.available() == 10);
        onLoop(() -> {
            pool.refill(loop);
            return null;
        });
        settle(() -> metrics.preboundSockets() == 5);
    }

    @Test
    void closingGivesThePortsBackAndStopsFilling() throws Exception {
        PortAllocator ports = ports(1000);
        PreboundRelaySockets pool = pool(4);
        onLoop(() -> pool.take(loop, LOOPBACK, ports));
        settle(() -> metrics.preboundSockets() == 4);
        RelayEndpoint claimed = onLoop(() -> pool.take(loop, LOOPBACK, ports));
        assertNotNull(claimed);
        onLoop(() -> {
            pool.refill(loop); // the claimed one's place is filled when an allocation ends
            return null;
        });
        settle(() -> metrics.preboundSockets() == 4);

        pool.close();
        settle(() -> metrics.preboundSockets() == 0 && ports.inUse() == 1);
        assertTrue(claimed.isOpen(), "a claimed socket belongs to its allocation, not to the pool");
        assertNull(onLoop(() -> pool.take(loop, LOOPBACK, ports)));
        onLoop(() -> {
            pool.refill(loop);
            return null;
        });
        assertEquals(1, ports.inUse(), "nothing bound after close");
        onLoop(() -> {
            claimed.close();
            return null;
        });
    }

    @Test
    void zeroTurnsItOff() throws Exception {
        PortAllocator ports = ports(1000);
        PreboundRelaySockets pool = pool(0);
        assertNull(onLoop(() -> pool.take(loop, LOOPBACK, ports)));
        onLoop(() -> {
            pool.refill(loop);
            return null;
        });
        assertEquals(0, ports.inUse());
        assertEquals(0, metrics.preboundSockets());
    }

    @Test
    void anUnclaimedSocketDropsWhatItReceives() {
        EmbeddedChannel channel = new EmbeddedChannel(new PreboundRelaySockets.Unclaimed(metrics));
        List<ByteBuf> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ByteBuf payload = Unpooled.buffer().writeBytes(new byte[] {0x40, 0, 0, 4, 1, 2, 3, 4});
            sent.add(payload);
            assertFalse(channel.writeInbound(new DatagramPacket(payload,
                    new InetSocketAddress(LOOPBACK, 9), new InetSocketAddress(LOOPBACK, 1000 + i))));
        }
        assertNull(channel.readInbound(), "nothing passes an unclaimed socket");
        assertEquals(3, metrics.droppedCount(TraverseMetrics.DropReason.NO_ALLOCATION), "each drop is counted");
        for (ByteBuf b : sent) {
            assertEquals(0, b.refCnt(), "and nothing leaks");
        }
        assertFalse(channel.finish());
    }
}
