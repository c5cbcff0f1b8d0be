package io.traverse.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Counters, the one-second rate window and the token bucket of {@link RelayTraffic}, on an explicit clock. */
class RelayTrafficTest {
    private static final long S = 1_000_000_000L;

    @Test
    void countsEachDirectionApart() {
        RelayTraffic t = new RelayTraffic();
        assertTrue(t.admitToPeer(100, 0));
        assertTrue(t.admitToPeer(50, 1));
        assertTrue(t.admitToClient(7, 2));
        RelayTraffic.Snapshot s = t.snapshot(3);
        assertEquals(150, s.bytesToPeer());
        assertEquals(2, s.packetsToPeer());
        assertEquals(7, s.bytesToClient());
        assertEquals(1, s.packetsToClient());
        assertEquals(0, s.droppedToPeer());
    }

    @Test
    void theRateIsThatOfTheLastFullSecondAndZeroWhenIdle() {
        RelayTraffic t = new RelayTraffic();
        for (int i = 0; i < 10; i++) {
            t.admitToPeer(1000, i * S / 10); // 10 kB over the first second
        }
        t.admitToPeer(1000, S); // closes the window
        assertEquals(80_000, t.snapshot(S + S / 2).bitsPerSecondToPeer());
        assertEquals(0, t.snapshot(4 * S).bitsPerSecondToPeer());
        assertEquals(0, t.snapshot(4 * S).bitsPerSecondToClient());
    }

    @Test
    void aLimitPassesTheBurstThenTheRateAndCountsTheDrops() {
        RelayTraffic t = new RelayTraffic();
        t.limit(1000, 1500, 0);
        assertTrue(t.isLimited());
        assertTrue(t.admitToPeer(1000, 0));
        assertTrue(t.admitToPeer(500, 0));
        assertFalse(t.admitToPeer(1, 0), "the burst is spent");
        assertTrue(t.admitToClient(1500, 0), "each direction has its own bucket");
        assertFalse(t.admitToPeer(600, S / 2), "half a second refills 500 bytes");
        assertTrue(t.admitToPeer(500, S / 2));
        assertTrue(t.admitToPeer(1500, 100 * S), "never more than the burst after a long pause");
        assertFalse(t.admitToPeer(1, 100 * S));
        RelayTraffic.Snapshot s = t.snapshot(100 * S);
        assertEquals(3, s.droppedToPeer());
        assertEquals(3500, s.bytesToPeer());
        t.limit(0, 0, 100 * S);
        assertFalse(t.isLimited());
        assertTrue(t.admitToPeer(1_000_000, 100 * S));
    }
}
