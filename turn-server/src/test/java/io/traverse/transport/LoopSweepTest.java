package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.traverse.turn.Allocation;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One timer per loop sweeps all of its allocations; closed sessions leave it, also while a sweep runs. */
class LoopSweepTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private EventLoopGroup group;
    private EventLoop loop;
    private Channel listener;
    /** Sweep passes, as the allocations each one visited (a pass is delimited by the marker allocation). */
    private final LinkedBlockingQueue<Allocation> swept = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        group = IoTransport.NIO.newEventLoopGroup(1);
        loop = group.next();
        listener = new Bootstrap().group(loop).channelFactory(() -> IoTransport.NIO.newDatagramChannel(LOOPBACK))
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress(LOOPBACK, 0)).sync()
                .channel();
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    private RelaySession session(int clientPort) {
        InetSocketAddress client = new InetSocketAddress(LOOPBACK, clientPort);
        FiveTuple tuple = new FiveTuple(TransportProtocol.UDP, client, (InetSocketAddress) listener.localAddress());
        RelaySession session = new RelaySession(new UdpClientLink(listener, new RoundFlush(listener), tuple),
                false);
        session.allocation(Allocation.builder(tuple, "alice").transactionId(new byte[12])
                .relay(new InetSocketAddress(LOOPBACK, 50000 + clientPort % 10000)).relayHandle(session)
                .build(System.nanoTime()));
        return session;
    }

    /** Counts how often each allocation was swept over the next {@code passes} full passes of the timer. */
    private Map<Allocation, Integer> countPasses(LoopSweep sweep, int passes) throws Exception {
        swept.clear();
        Map<Allocation, Integer> counts = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int seen = 0;
        int wanted = passes * onLoop(sweep::size);
        while (seen < wanted) {
            Allocation a = swept.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertTrue(a != null, "the sweep ran " + seen + " of " + wanted + " allocation sweeps within 10 s");
            counts.merge(a, 1, Integer::sum);
            seen++;
        }
        return counts;
    }

    @Test
    void oneTimerSweepsEveryAllocationOfTheLoopEachPeriod() throws Exception {
        LoopSweep sweep = new LoopSweep(loop, PERIOD_NANOS, swept::add);
        List<RelaySession> sessions = new ArrayList<>();
        for (int i = 0; i < 40; i++) { // past the initial capacity of 16: the array grows
            sessions.add(session(20000 + i));
        }
        onLoop(() -> {
            sessions.forEach(sweep::add);
            sweep.add(sessions.get(0)); // twice: still one slot
            return null;
        });
        assertEquals(40, onLoop(sweep::size));
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(PERIOD_NANOS) / 2); // out of a pass that may be running
        Map<Allocation, Integer> counts = countPasses(sweep, 3);
        assertEquals(40, counts.size(), "every allocation was swept");
        int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        assertTrue(max - min <= 1, "each pass sweeps each allocation once: " + counts.values());
    }

    @Test
    void aClosedSessionLeavesTheSweepAndTheOthersStay() throws Exception {
        LoopSweep sweep = new LoopSweep(loop, PERIOD_NANOS, swept::add);
        List<RelaySession> sessions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sessions.add(session(21000 + i));
        }
        onLoop(() -> {
            sessions.forEach(sweep::add);
            sessions.get(1).close(); // from the loop: removed at once, the last one takes its slot
            return null;
        });
        assertEquals(4, onLoop(sweep::size));
        sessions.get(3).close(); // from another thread: removed by a task of the loop
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (onLoop(sweep::size) != 3 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(3, onLoop(sweep::size), "a close from another thread leaves the sweep");
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(PERIOD_NANOS) * 2);
        Map<Allocation, Integer> counts = countPasses(sweep, 4);
        assertEquals(3, counts.size(), "only the open sessions are swept: " + counts.keySet());
        assertFalse(counts.containsKey(sessions.get(1).allocation()));
        assertFalse(counts.containsKey(sessions.get(3).allocation()));
        onLoop(() -> {
            sessions.get(0).close();
            sessions.get(2).close();
            sessions.get(4).close();
            return null;
        });
        assertEquals(0, onLoop(sweep::size));
    }

    @Test
    void aCloseAfterTheLoopStoppedIsQuiet() throws Exception {
        LoopSweep sweep = new LoopSweep(loop, PERIOD_NANOS, swept::add);
        RelaySession session = session(23000);
        onLoop(() -> {
            sweep.add(session);
            return null;
        });
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        session.close(); // from this thread, the loop gone: nothing to hand the removal to, and no exception
        assertTrue(loop.isTerminated());
    }

    @Test
    void aSweepThatEndsAllocationsStillSweepsEachOtherOnceThatPass() throws Exception {
        List<RelaySession> sessions = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sessions.add(session(22000 + i));
        }
        Map<Allocation, RelaySession> byAllocation = new HashMap<>();
        sessions.forEach(s -> byAllocation.put(s.allocation(), s));
        List<Allocation> pass = new ArrayList<>();
        Consumer<Allocation> endEveryThird = a -> {
            pass.add(a);
            if (sessions.indexOf(byAllocation.get(a)) % 3 == 0) {
                byAllocation.get(a).close(); // what destroy does to an expired allocation, during the pass
            }
        };
        LoopSweep sweep = new LoopSweep(loop, TimeUnit.SECONDS.toNanos(3600), endEveryThird);
        onLoop(() -> {
            sessions.forEach(sweep::add);
            sweep.run(); // one pass by hand (the timer is an hour away)
            return null;
        });
        assertEquals(20, pass.size(), "each allocation swept once in the pass that ended some: " + pass);
        assertEquals(20, new java.util.HashSet<>(pass).size(), "no allocation twice: " + pass);
        assertEquals(13, onLoop(sweep::size), "the 7 ended ones (indices 0, 3, ..., 18) left the sweep");
    }
}
