package io.traverse.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final AtomicLong now = new AtomicLong(123_456_789L);

    private RateLimiter limiter(int perSecond, int burst) {
        return new RateLimiter(perSecond, burst, 1000, Duration.ofMinutes(1), now::get);
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private void advanceMillis(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void allowsBurstThenRefuses() throws Exception {
        RateLimiter rl = limiter(10, 5);
        for (int i = 0; i < 5; i++) {
            assertTrue(rl.tryAcquire(ip("192.0.2.1")), "request " + i);
        }
        assertFalse(rl.tryAcquire(ip("192.0.2.1")));
    }

    @Test
    void refillsAtTheConfiguredRate() throws Exception {
        RateLimiter rl = limiter(10, 1);
        assertTrue(rl.tryAcquire(ip("192.0.2.1")));
        assertFalse(rl.tryAcquire(ip("192.0.2.1")));
        advanceMillis(99);
        assertFalse(rl.tryAcquire(ip("192.0.2.1")));
        advanceMillis(1);
        assertTrue(rl.tryAcquire(ip("192.0.2.1")));
        assertFalse(rl.tryAcquire(ip("192.0.2.1")));
    }

    @Test
    void sustainedRateOverOneSecond() throws Exception {
        RateLimiter rl = limiter(10, 3);
        int granted = 0;
        for (int ms = 0; ms < 1000; ms++) {
            if (rl.tryAcquire(ip("192.0.2.1"))) {
                granted++;
            }
            advanceMillis(1);
        }
        assertEquals(3 + 9, granted, "burst of 3, then one per 100 ms");
    }

    @Test
    void idleSourceRefillsOnlyUpToBurst() throws Exception {
        RateLimiter rl = limiter(10, 2);
        advanceMillis(10_000);
        assertTrue(rl.tryAcquire(ip("192.0.2.1")));
        assertTrue(rl.tryAcquire(ip("192.0.2.1")));
        assertFalse(rl.tryAcquire(ip("192.0.2.1")));
    }

    @Test
    void sourcesAreIndependent() throws Exception {
        RateLimiter rl = limiter(1, 1);
        assertTrue(rl.tryAcquire(ip("192.0.2.1")));
        assertFalse(rl.tryAcquire(ip("192.0.2.1")));
        assertTrue(rl.tryAcquire(ip("192.0.2.2")));
        assertTrue(rl.tryAcquire(ip("2001:db8:0:1::1")));
    }

    @Test
    void ipv6SharesABucketPer64() throws Exception {
        RateLimiter rl = limiter(1, 1);
        assertTrue(rl.tryAcquire(ip("2001:db8:0:1::1")));
        assertFalse(rl.tryAcquire(ip("2001:db8:0:1:ffff::2")), "same /64");
        assertTrue(rl.tryAcquire(ip("2001:db8:0:2::1")), "other /64");
    }

    @Test
    void zeroRateDisables() throws Exception {
        RateLimiter rl = limiter(0, 1);
        assertFalse(rl.enabled());
        for (int i = 0; i < 1000; i++) {
            assertTrue(rl.tryAcquire(ip("192.0.2.1")));
        }
        assertEquals(0, rl.trackedSources());
        assertTrue(RateLimiter.disabled().tryAcquire(ip("192.0.2.1")));
    }

    @Test
    void memoryIsBoundedAndIdleSourcesExpire() throws Exception {
        RateLimiter rl = new RateLimiter(10, 1, 50, Duration.ofSeconds(30), now::get);
        for (int i = 0; i < 500; i++) {
            rl.tryAcquire(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}));
        }
        assertTrue(rl.trackedSources() <= 50, "tracked " + rl.trackedSources());
        advanceMillis(31_000);
        assertEquals(0, rl.trackedSources());
    }
}
