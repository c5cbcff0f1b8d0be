package io.traverse.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.turn.PortAllocator.EvenPortPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

    private final FakeClock clock = new FakeClock(123_456_789L);

    private PortAllocator allocator(int min, int max) {
        return new PortAllocator(min, max, clock, PortAllocator.DEFAULT_RESERVATION_LIFETIME,
                PortAllocator.DEFAULT_BIND_FAILURE_QUARANTINE, new Random(7));
    }

    @Test
    void defaultRangeIsTheDynamicRange() {
        PortAllocator a = new PortAllocator(clock);
        assertEquals(49152, a.minPort());
        assertEquals(65535, a.maxPort());
        assertEquals(16384, a.available());
        for (int i = 0; i < 2000; i++) {
            int p = a.next().orElseThrow();
            assertTrue(p >= 49152 && p <= 65535, "port " + p);
        }
        assertEquals(2000, a.inUse());
    }

    @Test
    void handsOutEveryPortOnceThenRunsOut() {
        PortAllocator a = allocator(50000, 50009);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            assertTrue(seen.add(a.next().orElseThrow()));
        }
        assertEquals(Set.of(50000, 50001, 50002, 50003, 50004, 50005, 50006, 50007, 50008, 50009), seen);
        assertEquals(OptionalInt.empty(), a.next());
        assertEquals(0, a.available());
        a.release(50004);
        assertEquals(OptionalInt.of(50004), a.next());
    }

    @Test
    void startsAtARandomPlace() {
        Set<Integer> firsts = new HashSet<>();
        for (int seed = 0; seed < 20; seed++) {
            PortAllocator a = new PortAllocator(50000, 59999, clock, PortAllocator.DEFAULT_RESERVATION_LIFETIME,
                    Duration.ZERO, new Random(seed));
            firsts.add(a.next().orElseThrow());
        }
        assertTrue(firsts.size() > 15, "first ports " + firsts);
    }

    @Test
    void releaseIsIdempotentAndChecksTheRange() {
        PortAllocator a = allocator(50000, 50001);
        int p = a.next().orElseThrow();
        a.release(p);
        a.release(p);
        assertEquals(2, a.available());
        assertEquals(0, a.inUse());
        assertThrows(IllegalArgumentException.class, () -> a.release(49999));
        assertThrows(IllegalArgumentException.class, () -> a.release(50002));
    }

    @Test
    void evenPortsOnly() {
        PortAllocator a = allocator(50001, 50010); // evens: 50002..50010 (5 of them)
        Set<Integer> evens = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            int p = a.nextEven().orElseThrow();
            assertEquals(0, p % 2, "odd port " + p);
            evens.add(p);
        }
        assertEquals(5, evens.size());
        assertEquals(OptionalInt.empty(), a.nextEven());
        assertTrue(a.next().isPresent(), "odd ports are still free");
    }

    @Test
    void evenPortWithReservationReservesTheNextPort() {
        PortAllocator a = allocator(50000, 50001);
        EvenPortPair pair = a.nextEvenWithReservation().orElseThrow();
        assertEquals(50000, pair.port());
        assertEquals(50001, pair.reservedPort());
        assertEquals(1, a.reserved());
        assertEquals(OptionalInt.empty(), a.next(), "the reserved port is not handed out");
        assertEquals(OptionalInt.of(50001), a.claim(pair.token()));
        assertEquals(OptionalInt.empty(), a.claim(pair.token()), "a token works once");
        assertEquals(2, a.inUse());
        assertEquals(0, a.reserved());
    }

    @Test
    void reservationIsHeldForThirtySecondsThenFreed() {
        PortAllocator a = allocator(50000, 50001);
        EvenPortPair pair = a.nextEvenWithReservation().orElseThrow();
        clock.advance(Duration.ofSeconds(30).minusNanos(1));
        assertEquals(1, a.reserved());
        clock.advanceNanos(1);
        assertEquals(OptionalInt.empty(), a.claim(pair.token().value()), "expired at exactly 30 s");
        assertEquals(OptionalInt.of(50001), a.next(), "the expired reservation's port is free again");
    }

    @Test
    void claimJustBeforeExpiry() {
        PortAllocator a = allocator(50000, 50001);
        EvenPortPair pair = a.nextEvenWithReservation().orElseThrow();
        clock.advance(Duration.ofSeconds(30).minusNanos(1));
        assertEquals(OptionalInt.of(50001), a.claim(pair.token().value()));
    }

    @Test
    void unknownTokenClaimsNothing() {
        PortAllocator a = allocator(50000, 50001);
        a.nextEvenWithReservation().orElseThrow();
        assertEquals(OptionalInt.empty(), a.claim(0x1234_5678_9ABC_DEF0L));
    }

    @Test
    void releasingAReservedPortCancelsTheToken() {
        PortAllocator a = allocator(50000, 50001);
        EvenPortPair pair = a.nextEvenWithReservation().orElseThrow();
        a.release(pair.reservedPort());
        assertEquals(OptionalInt.empty(), a.claim(pair.token()));
        assertEquals(0, a.reserved());
        assertEquals(OptionalInt.of(50001), a.next());
    }

    @Test
    void reservationNeedsAFreePairWithinTheRange() {
        PortAllocator a = allocator(50001, 50002); // the only even port is the last one: no room for N+1
        assertEquals(Optional.empty(), a.nextEvenWithReservation());

        PortAllocator b = allocator(50000, 50003);
        for (int i = 0; i < 4; i++) {
            b.next().orElseThrow();
        }
        b.release(50000);
        b.release(50002);
        b.release(50003);
        // 50000 is free but its partner 50001 is in use; only 50002+50003 qualifies
        EvenPortPair pair = b.nextEvenWithReservation().orElseThrow();
        assertEquals(50002, pair.port());
        assertEquals(Optional.empty(), b.nextEvenWithReservation());
        assertEquals(OptionalInt.of(50000), b.nextEven(), "R=0 needs no partner");
    }

    @Test
    void bindFailureQuarantinesThePort() {
        PortAllocator a = allocator(50000, 50000);
        int p = a.next().orElseThrow();
        a.bindFailed(p);
        assertEquals(0, a.inUse());
        assertEquals(OptionalInt.empty(), a.next(), "quarantined port is skipped");
        clock.advance(PortAllocator.DEFAULT_BIND_FAILURE_QUARANTINE);
        assertEquals(OptionalInt.of(50000), a.next());
    }

    @Test
    void bindFailureOtherThanAddressInUseDoesNotQuarantine() {
        PortAllocator a = allocator(50000, 50001);
        for (int i = 0; i < 10; i++) {
            // EMFILE while file descriptors run out: the ports are fine and must not drain into quarantine
            a.bindFailed(a.next().orElseThrow(), false);
        }
        assertEquals(0, a.inUse());
        assertEquals(2, a.available(), "both ports free again, none quarantined");
    }

    @Test
    void boundedRetryLoopFindsAnotherPortAfterABindFailure() {
        PortAllocator a = allocator(50000, 50009);
        Set<Integer> failed = new HashSet<>();
        int bound = -1;
        for (int attempt = 0; attempt < 5 && bound < 0; attempt++) {
            int p = a.next().orElseThrow();
            if (failed.size() < 3) { // the first three ports are "taken by another process"
                failed.add(p);
                a.bindFailed(p);
            } else {
                bound = p;
            }
        }
        assertFalse(failed.contains(bound));
        assertTrue(bound >= 50000);
        assertEquals(1, a.inUse());
        assertEquals(6, a.available());
    }

    @Test
    void rejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(0, 10, clock));
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(100, 99, clock));
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(100, 65536, clock));
        assertThrows(IllegalArgumentException.class, () -> new PortAllocator(50000, 50001, clock,
                Duration.ofSeconds(29), Duration.ZERO, new Random()));
    }

    @Test
    void concurrentCallersNeverShareAPort() throws Exception {
        PortAllocator a = new PortAllocator(40000, 41999, TurnClock.system());
        Set<Integer> all = ConcurrentHashMap.newKeySet();
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        int[] counts = new int[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                OptionalInt p;
                while ((p = a.next()).isPresent()) {
                    if (!all.add(p.getAsInt())) {
                        throw new AssertionError("port handed out twice: " + p);
                    }
                    counts[id]++;
                }
            });
            ts.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : ts) {
            th.join();
        }
        assertEquals(2000, all.size());
        assertEquals(2000, counts[0] + counts[1] + counts[2] + counts[3]);
    }

    @Test
    void tokenWireForm() {
        PortReservationToken t = new PortReservationToken(0x0102_0304_0506_0708L);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, t.toBytes());
        assertEquals(t, PortReservationToken.fromBytes(t.toBytes()));
        assertThrows(IllegalArgumentException.class, () -> PortReservationToken.fromBytes(new byte[7]));
        assertFalse(t.toString().contains("102030405060708"));
        assertFalse(t.toString().contains(Long.toString(t.value())));
    }

    @Test
    void tokensAreRandom() {
        PortAllocator a = allocator(50000, 50099);
        Set<Long> tokens = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            tokens.add(a.nextEvenWithReservation().orElseThrow().token().value());
        }
        assertEquals(50, tokens.size());
        assertNotEquals(0L, tokens.iterator().next());
    }
}
