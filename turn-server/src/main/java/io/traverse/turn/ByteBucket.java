package io.traverse.turn;

/**
 * A token bucket in bytes: refills at {@code rate} bytes per second up to {@code burst} bytes; a packet passes
 * when the bucket holds at least its size, which is then taken out. Plain fields, no allocation: one instance
 * per allocation and direction, used on the allocation's event loop only.
 */
final class ByteBucket {
    private final double bytesPerNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    /**
     * @param bytesPerSecond the sustained rate, {@code > 0}
     * @param burstBytes     the bucket's size, {@code > 0}; it starts full
     */
    ByteBucket(long bytesPerSecond, long burstBytes, long nowNanos) {
        if (bytesPerSecond <= 0 || burstBytes <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive, got " + bytesPerSecond + " and "
                    + burstBytes);
        }
        this.bytesPerNano = bytesPerSecond / 1e9;
        this.burst = burstBytes;
        this.tokens = burstBytes;
        this.lastNanos = nowNanos;
    }

    /** Takes {@code bytes} out of the bucket when it holds that many; false (and nothing taken) otherwise. */
    boolean tryTake(int bytes, long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * bytesPerNano);
            lastNanos = nowNanos;
        }
        if (tokens < bytes) {
            return false;
        }
        tokens -= bytes;
        return true;
    }
}
