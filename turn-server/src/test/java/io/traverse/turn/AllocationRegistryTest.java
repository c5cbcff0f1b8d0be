package io.traverse.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.turn.AllocationRegistry.RegisterResult;
import io.traverse.turn.ReserveResult.RejectReason;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AllocationRegistryTest {

    static final byte[] TX = new byte[12];
    static final long NOW = 42;

    final RecordingListener events = new RecordingListener();

    static FiveTuple tuple(TransportProtocol p, int clientPort, int serverPort) {
        return new FiveTuple(p, AllocationTest.addr("198.51.100.7", clientPort), AllocationTest.addr("192.0.2.1", serverPort));
    }

    static Allocation allocation(FiveTuple t, String user) {
        return Allocation.builder(t, user).relay(AllocationTest.addr("192.0.2.1", 50000)).transactionId(TX).build(NOW);
    }

    static AllocationPermit granted(ReserveResult r) {
        return assertInstanceOf(ReserveResult.Granted.class, r).permit();
    }

    static RejectReason rejected(ReserveResult r) {
        return assertInstanceOf(ReserveResult.Rejected.class, r).reason();
    }

    @Test
    void lifecycleCountsAndEvents() {
        AllocationRegistry reg = new AllocationRegistry(10, 5, events);
        AllocationPermit permit = granted(reg.reserve("alice"));
        assertEquals(1, reg.active());
        assertEquals(1, reg.activeFor("alice"));
        assertEquals(0, reg.registered());
        Allocation a = allocation(tuple(TransportProtocol.UDP, 1000, 3478), "alice");
        assertEquals(RegisterResult.REGISTERED, reg.register(permit, a));
        permit.close(); // the allocation owns the slot now: no effect
        assertEquals(1, reg.active());
        assertEquals(1, reg.registered());
        assertSame(a, reg.find(a.fiveTuple()));
        assertEquals(List.of(a), reg.allocations());
        assertTrue(reg.remove(a, EndReason.EXPIRED));
        assertFalse(reg.remove(a, EndReason.EXPIRED), "idempotent");
        assertEquals(0, reg.active());
        assertEquals(0, reg.activeFor("alice"));
        assertEquals(0, reg.activeUsers());
        assertNull(reg.find(a.fiveTuple()));
        assertEquals(List.of("allocated alice", "deleted EXPIRED"), events.drain());
        assertTrue(a.isClosed());
    }

    @Test
    void perUserQuotaAnswers486() {
        AllocationRegistry reg = new AllocationRegistry(100, 2, events);
        AllocationPermit p1 = granted(reg.reserve("alice"));
        granted(reg.reserve("alice"));
        ReserveResult third = reg.reserve("alice");
        assertEquals(RejectReason.QUOTA_REACHED, rejected(third));
        assertEquals(486, ((ReserveResult.Rejected) third).errorCode());
        granted(reg.reserve("bob"));
        assertEquals(3, reg.active());
        p1.close();
        granted(reg.reserve("alice"));
    }

    @Test
    void serverLimitAnswers508AndLeavesTheUserCountAlone() {
        AllocationRegistry reg = new AllocationRegistry(2, 5, events);
        granted(reg.reserve("alice"));
        granted(reg.reserve("bob"));
        ReserveResult r = reg.reserve("carol");
        assertEquals(RejectReason.INSUFFICIENT_CAPACITY, rejected(r));
        assertEquals(508, ((ReserveResult.Rejected) r).errorCode());
        assertEquals(0, reg.activeFor("carol"));
        assertEquals(2, reg.activeUsers());
        assertEquals(2, reg.active());
    }

    @Test
    void zeroLimitsRefuseEverything() {
        assertEquals(RejectReason.INSUFFICIENT_CAPACITY, rejected(new AllocationRegistry(0, 5, events).reserve("a")));
        assertEquals(RejectReason.QUOTA_REACHED, rejected(new AllocationRegistry(5, 0, events).reserve("a")));
        assertThrows(IllegalArgumentException.class, () -> new AllocationRegistry(-1, 1, events));
        assertThrows(IllegalArgumentException.class, () -> new AllocationRegistry(1, -1, events));
    }

    @Test
    void failedAllocationReleasesItsSlot() {
        AllocationRegistry reg = new AllocationRegistry(1, 1, events);
        try (AllocationPermit permit = granted(reg.reserve("alice"))) {
            assertTrue(permit.isHeld());
            // relay socket bind fails: nothing registered
        }
        assertEquals(0, reg.active());
        assertEquals(0, reg.activeFor("alice"));
        AllocationPermit twice = granted(reg.reserve("alice"));
        twice.close();
        twice.close();
        assertFalse(twice.isHeld());
        assertEquals(0, reg.active(), "closing twice releases once");
        granted(reg.reserve("alice"));
    }

    @Test
    void exceptionBeforeRegisterStillReleases() {
        AllocationRegistry reg = new AllocationRegistry(1, 1, events);
        assertThrows(IllegalStateException.class, () -> {
            try (AllocationPermit permit = granted(reg.reserve("alice"))) {
                assertEquals(1, reg.activeFor(permit.username()));
                throw new IllegalStateException("bind failed");
            }
        });
        assertEquals(0, reg.active());
    }

    @Test
    void secondAllocationOnTheSameFiveTupleIsAMismatch() {
        AllocationRegistry reg = new AllocationRegistry(10, 10, events);
        FiveTuple t = tuple(TransportProtocol.UDP, 1000, 3478);
        Allocation first = allocation(t, "alice");
        reg.register(granted(reg.reserve("alice")), first);
        Allocation second = allocation(t, "alice");
        try (AllocationPermit permit = granted(reg.reserve("alice"))) {
            assertEquals(RegisterResult.ALLOCATION_MISMATCH, reg.register(permit, second));
            assertTrue(permit.isHeld(), "still held; close releases it");
        }
        assertEquals(1, reg.active());
        assertSame(first, reg.find(t));
        assertFalse(reg.remove(second, EndReason.ADMIN));
        assertEquals(1, reg.registered());
    }

    @Test
    void permitMisuseIsRejected() {
        AllocationRegistry reg = new AllocationRegistry(10, 10, events);
        AllocationRegistry other = new AllocationRegistry(10, 10, events);
        Allocation a = allocation(tuple(TransportProtocol.UDP, 1, 1), "alice");
        assertThrows(IllegalArgumentException.class, () -> reg.register(granted(other.reserve("alice")), a));
        assertThrows(IllegalArgumentException.class, () -> reg.register(granted(reg.reserve("bob")), a));
        AllocationPermit closed = granted(reg.reserve("alice"));
        closed.close();
        assertThrows(IllegalStateException.class, () -> reg.register(closed, a));
        AllocationPermit used = granted(reg.reserve("alice"));
        reg.register(used, a);
        assertThrows(IllegalStateException.class,
                () -> reg.register(used, allocation(tuple(TransportProtocol.UDP, 2, 1), "alice")));
        assertThrows(IllegalStateException.class, () -> reg.register(granted(reg.reserve("alice")), a));
        Allocation withState = allocation(tuple(TransportProtocol.UDP, 3, 1), "alice");
        withState.installPermission(AllocationTest.ip("8.8.8.8"), NOW);
        try (AllocationPermit p = granted(reg.reserve("alice"))) {
            assertThrows(IllegalStateException.class, () -> reg.register(p, withState));
            assertTrue(p.isHeld());
        }
    }

    @Test
    void allocationFreeLookupDistinguishesProtocolAndServer() {
        AllocationRegistry reg = new AllocationRegistry(10, 10, events);
        Allocation udp = allocation(tuple(TransportProtocol.UDP, 1000, 3478), "alice");
        Allocation tcp = allocation(tuple(TransportProtocol.TCP, 1000, 3478), "alice");
        Allocation tls = allocation(tuple(TransportProtocol.TLS, 1000, 5349), "alice");
        for (Allocation a : List.of(udp, tcp, tls)) {
            reg.register(granted(reg.reserve("alice")), a);
        }
        InetSocketAddress c = udp.fiveTuple().client();
        InetSocketAddress s3478 = udp.fiveTuple().server();
        InetSocketAddress s5349 = tls.fiveTuple().server();
        assertSame(udp, reg.find(TransportProtocol.UDP, c, s3478));
        assertSame(tcp, reg.find(TransportProtocol.TCP, c, s3478));
        assertSame(tls, reg.find(TransportProtocol.TLS, c, s5349));
        assertNull(reg.find(TransportProtocol.TLS, c, s3478));
        assertNull(reg.find(TransportProtocol.UDP, AllocationTest.addr("198.51.100.7", 1001), s3478));
        reg.remove(tcp, EndReason.CONNECTION_CLOSED);
        assertNull(reg.find(TransportProtocol.TCP, c, s3478));
        assertSame(udp, reg.find(TransportProtocol.UDP, c, s3478));
        reg.remove(udp, EndReason.EXPIRED);
        reg.remove(tls, EndReason.EXPIRED);
        assertNull(reg.find(TransportProtocol.TLS, c, s5349));
    }

    @Test
    void listenerFailureStillClosesAndReleases() {
        AllocationRegistry reg = new AllocationRegistry(10, 10, new AllocationListener() {
            @Override
            public void deleted(Allocation a, EndReason reason) {
                throw new IllegalStateException("metrics broke");
            }
        });
        Allocation a = allocation(tuple(TransportProtocol.UDP, 1, 1), "alice");
        reg.register(granted(reg.reserve("alice")), a);
        assertThrows(IllegalStateException.class, () -> reg.remove(a, EndReason.EXPIRED));
        assertTrue(a.isClosed());
        assertEquals(0, reg.active());
        assertEquals(0, reg.registered());
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    void perUserQuotaHoldsUnderContention() throws Exception {
        AllocationRegistry reg = new AllocationRegistry(10_000, 50, events);
        int threads = 8;
        int attempts = 200;
        ConcurrentLinkedQueue<AllocationPermit> permits = new ConcurrentLinkedQueue<>();
        AtomicInteger quota = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        runConcurrently(threads, id -> {
            for (int i = 0; i < attempts; i++) {
                ReserveResult r = reg.reserve("alice");
                if (r instanceof ReserveResult.Granted g) {
                    permits.add(g.permit());
                } else if (((ReserveResult.Rejected) r).reason() == RejectReason.QUOTA_REACHED) {
                    quota.incrementAndGet();
                } else {
                    other.incrementAndGet();
                }
            }
        });
        assertEquals(50, permits.size());
        assertEquals(threads * attempts - 50, quota.get());
        assertEquals(0, other.get());
        assertEquals(50, reg.active());
        assertEquals(50, reg.activeFor("alice"));
        runConcurrently(threads, id -> {
            AllocationPermit p;
            while ((p = permits.poll()) != null) {
                p.close();
            }
        });
        assertEquals(0, reg.active());
        assertEquals(0, reg.activeUsers());
    }

    @Test
    void serverLimitHoldsUnderContention() throws Exception {
        AllocationRegistry reg = new AllocationRegistry(100, 1_000, events);
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger capacity = new AtomicInteger();
        ConcurrentLinkedQueue<AllocationPermit> permits = new ConcurrentLinkedQueue<>();
        runConcurrently(8, id -> {
            for (int i = 0; i < 100; i++) {
                ReserveResult r = reg.reserve("user" + (i % 7) + "-" + id);
                if (r instanceof ReserveResult.Granted g) {
                    granted.incrementAndGet();
                    permits.add(g.permit());
                } else {
                    assertEquals(RejectReason.INSUFFICIENT_CAPACITY, ((ReserveResult.Rejected) r).reason());
                    capacity.incrementAndGet();
                }
            }
        });
        assertEquals(100, granted.get());
        assertEquals(700, capacity.get());
        int sum = 0;
        for (int id = 0; id < 8; id++) {
            for (int u = 0; u < 7; u++) {
                sum += reg.activeFor("user" + u + "-" + id);
            }
        }
        assertEquals(100, sum, "rejected reservations gave their per-user slot back");
        permits.forEach(AllocationPermit::close);
        assertEquals(0, reg.active());
        assertEquals(0, reg.activeUsers());
    }

    @Test
    void mixedChurnReturnsToZero() throws Exception {
        AllocationRegistry reg = new AllocationRegistry(64, 5, events);
        AtomicInteger created = new AtomicInteger();
        runConcurrently(6, id -> {
            for (int i = 0; i < 2_000; i++) {
                String user = "u" + (i % 4);
                ReserveResult r = reg.reserve(user);
                if (!(r instanceof ReserveResult.Granted g)) {
                    continue;
                }
                try (AllocationPermit permit = g.permit()) {
                    if (i % 3 == 0) {
                        continue; // "bind failed": close releases
                    }
                    Allocation a = Allocation.builder(tuple(TransportProtocol.UDP, 1 + id * 10_000 + i % 10_000, 3478), user)
                            .relay(AllocationTest.addr("192.0.2.1", 50000)).transactionId(TX).build(NOW);
                    if (reg.register(permit, a) == RegisterResult.REGISTERED) {
                        created.incrementAndGet();
                        assertTrue(reg.activeFor(user) <= 5);
                        assertTrue(reg.active() <= 64);
                        reg.remove(a, EndReason.EXPIRED);
                    }
                }
            }
        });
        assertTrue(created.get() > 1000, "created " + created.get());
        assertEquals(0, reg.active());
        assertEquals(0, reg.registered());
        assertEquals(0, reg.activeUsers());
        assertEquals(0, events.liveAllocations);
    }

    @Test
    void tenThousandAllocationsCreatedAndExpiredLeaveNothingBehind() {
        AllocationRegistry reg = new AllocationRegistry(10_000, 100, events);
        List<Allocation> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String user = "user" + (i % 100);
            AllocationPermit permit = granted(reg.reserve(user));
            Allocation a = Allocation.builder(tuple(TransportProtocol.UDP, 1 + (i % 60_000), 3478 + i / 60_000), user)
                    .relay(AllocationTest.addr("192.0.2.1", 50000)).transactionId(TX).build(NOW);
            assertEquals(RegisterResult.REGISTERED, reg.register(permit, a));
            a.installPermission(AllocationTest.ip("8.8.8.8"), NOW);
            a.bindChannel(0x4000, AllocationTest.addr("8.8.8.8", 1), NOW);
            all.add(a);
        }
        assertEquals(10_000, reg.active());
        assertEquals(10_000, reg.registered());
        assertEquals(100, reg.activeUsers());
        assertEquals(RejectReason.INSUFFICIENT_CAPACITY, rejected(reg.reserve("someone-else")));
        assertEquals(RejectReason.QUOTA_REACHED, rejected(reg.reserve("user7")));
        long later = NOW + 600 * AllocationTest.S;
        for (Allocation a : all) {
            assertTrue(a.isExpired(later));
            assertTrue(reg.remove(a, EndReason.EXPIRED));
        }
        assertEquals(0, reg.active());
        assertEquals(0, reg.registered());
        assertEquals(0, reg.activeUsers());
        assertEquals(0, reg.activeFor("user7"));
        assertEquals(0, events.liveAllocations);
        assertEquals(0, events.livePermissions);
        assertEquals(0, events.liveChannels);
        assertTrue(reg.allocations().isEmpty());
    }

    interface Body {
        void run(int id) throws Exception;
    }

    static void runConcurrently(int threads, Body body) throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    barrier.await();
                    body.run(id);
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("worker failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }
}
