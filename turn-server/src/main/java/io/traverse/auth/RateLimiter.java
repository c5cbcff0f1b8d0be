package io.traverse.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.traverse.net.IpAddresses;
import io.traverse.util.TokenBucket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Per-source token bucket for requests that are not (yet) authenticated, so a flood of
 * unauthenticated Allocates from one source cannot make the server derive keys, issue nonces and
 * send 401s without bound (RFC 8656 §21 "Security Considerations", resource exhaustion).
 *
 * <p>Each source may send {@code burst} requests at once and {@code permitsPerSecond} sustained.
 * Implemented as the generic cell rate algorithm (the token bucket expressed with one number per
 * source: its theoretical arrival time), so the state per source is a single {@link AtomicLong}.
 *
 * <p>Sources: an IPv4 address is its own bucket; IPv6 addresses share one bucket per /64 prefix,
 * because a single host commonly controls a whole /64 and could otherwise rotate addresses to
 * escape the limit. Memory is bounded: buckets live in a Caffeine cache with {@code maximumSize}
 * and {@code expireAfterAccess}; an evicted source simply starts with a full bucket again.
 *
 * <p>{@code permitsPerSecond = 0} disables limiting: {@link #tryAcquire} always succeeds and no
 * state is kept. Thread-safe; time comes from an injected nanosecond source.
 */
public final class RateLimiter {
    private final boolean enabled;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final LongSupplier nanoTime;
    private final Cache<Object, AtomicLong> buckets;

    /**
     * @param permitsPerSecond sustained rate per source; 0 disables the limiter
     * @param burst requests a source may send at once (at least 1)
     * @param maximumSources bound on tracked sources
     * @param idleExpiry a source's bucket is dropped after this long without a request; use at
     *     least {@code burst / permitsPerSecond} so dropping a bucket never grants extra permits
     * @param nanoTime monotonic time source, e.g. {@code System::nanoTime}
     */
    public RateLimiter(int permitsPerSecond, int burst, long maximumSources, Duration idleExpiry, LongSupplier nanoTime) {
        if (permitsPerSecond < 0) {
            throw new IllegalArgumentException("permitsPerSecond must be >= 0");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be >= 1");
        }
        this.enabled = permitsPerSecond > 0;
        this.intervalNanos = enabled ? TokenBucket.intervalNanos(permitsPerSecond) : 0;
        this.toleranceNanos = enabled ? TokenBucket.toleranceNanos(permitsPerSecond, burst) : 0;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.buckets = enabled
                ? Caffeine.newBuilder()
                        .maximumSize(maximumSources)
                        .expireAfterAccess(idleExpiry)
                        .ticker(nanoTime::getAsLong)
                        .executor(Runnable::run)
                        .build()
                : null;
    }

    /** A limiter that never refuses. */
    public static RateLimiter disabled() {
        return new RateLimiter(0, 1, 0, Duration.ofSeconds(1), System::nanoTime);
    }

    /** True unless {@code permitsPerSecond} was 0. */
    public boolean enabled() {
        return enabled;
    }

    /** Takes one permit for {@code source}; false when its bucket is empty. */
    public boolean tryAcquire(InetAddress source) {
        if (!enabled) {
            return true;
        }
        AtomicLong tat = buckets.get(bucketKey(source), k -> new AtomicLong(Long.MIN_VALUE));
        return TokenBucket.take(tat, nanoTime.getAsLong(), intervalNanos, toleranceNanos);
    }

    /** Number of sources currently tracked (approximate; for metrics and tests). */
    public long trackedSources() {
        if (!enabled) {
            return 0;
        }
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private static Object bucketKey(InetAddress source) {
        return IpAddresses.sourceKey(Objects.requireNonNull(source, "source"));
    }
}
