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
        this(perSecond, perSecond);
    }

    /** {@code perSecond} (at least 1) sustained, {@code burst} (at least 1) at once. */
    public TokenBucket(int perSecond, int burst) {
        this.intervalNanos = intervalNanos(perSecond);
        this.toleranceNanos = toleranceNanos(perSecond, burst);
    }

    /** Takes a permit at {@code nowNanos}; false (nothing taken) when the bucket is empty. */
    public boolean tryAcquire(long nowNanos) {
        return take(theoreticalArrival, nowNanos, intervalNanos, toleranceNanos);
    }

    /** Nanoseconds between permits at {@code perSecond}. */
    public static long intervalNanos(int perSecond) {
        return 1_000_000_000L / perSecond;
    }

    /** How far ahead of now the theoretical arrival time may run: {@code burst - 1} intervals. */
    public static long toleranceNanos(int perSecond, int burst) {
        return intervalNanos(perSecond) * (burst - 1L);
    }

    /**
     * One step of the generic cell rate algorithm, for callers that keep many buckets' state themselves (one
     * {@link AtomicLong} each): takes a permit from the bucket whose theoretical arrival time is {@code tat}
     * ({@code Long.MIN_VALUE}: full), or returns false when it is empty.
     */
    public static boolean take(AtomicLong tat, long now, long intervalNanos, long toleranceNanos) {
        while (true) {
            long current = tat.get();
            long start = current == Long.MIN_VALUE || current - now < 0 ? now : current;
            if (start - now > toleranceNanos) {
                return false;
            }
            if (tat.compareAndSet(current, start + intervalNanos)) {
                return true;
            }
        }
    }
}
