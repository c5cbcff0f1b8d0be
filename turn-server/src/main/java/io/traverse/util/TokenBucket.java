package io.traverse.util;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket of {@code perSecond} permits and a burst of the same size, as the generic cell rate algorithm (one
 * number: the theoretical arrival time). Thread-safe; time is passed in, so callers use their injected clock.
 */
public final class TokenBucket {
    private final long intervalNanos;
    private final long toleranceNanos;
    private final AtomicLong theoreticalArrival = new AtomicLong(Long.MIN_VALUE);

    /** {@code perSecond} (at least 1) sustained, {@code perSecond} at once. */
    public TokenBucket(int perSecond) {
        this.intervalNanos = 1_000_000_000L / perSecond;
        this.toleranceNanos = intervalNanos * (perSecond - 1L);
    }

    /** Takes a permit at {@code nowNanos}; false (nothing taken) when the bucket is empty. */
    public boolean tryAcquire(long nowNanos) {
        while (true) {
            long current = theoreticalArrival.get();
            long start = current == Long.MIN_VALUE || current - nowNanos < 0 ? nowNanos : current;
            if (start - nowNanos > toleranceNanos) {
                return false;
            }
            if (theoreticalArrival.compareAndSet(current, start + intervalNanos)) {
                return true;
            }
        }
    }
}
