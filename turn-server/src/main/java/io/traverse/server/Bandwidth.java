package io.traverse.server;

import io.traverse.config.BandwidthConfig;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Bandwidth limits at allocation time (the {@code bandwidth} section, coturn's {@code max-bps} and
 * {@code bps-capacity}): which rate an allocation gets, and whether the server-wide capacity has room for it. The
 * per-packet part is the allocation's {@link io.traverse.turn.RelayTraffic}. Thread-safe.
 */
final class Bandwidth {
    /** The smallest burst: one large datagram and then some. */
    static final long MIN_BURST = 16 * 1024;

    private final long maxBps;
    private final long capacity;
    private final Map<String, Integer> perUser;
    /** A credential store's per-user rate, consulted before the config; empty: no opinion. */
    private final Function<String, OptionalLong> storeLimits;
    private final AtomicLong reserved = new AtomicLong();

    Bandwidth(BandwidthConfig config, Function<String, OptionalLong> storeLimits) {
        this.maxBps = config.maxBps();
        this.capacity = config.bpsCapacity();
        this.perUser = Map.copyOf(config.userLimits());
        this.storeLimits = storeLimits;
    }

    /**
     * The rate, bytes per second and direction, for an allocation of {@code username} (a TURN REST name
     * {@code expiry:user} counts as its user part); 0 = no limit.
     */
    long rateFor(String username) {
        int colon = username.indexOf(':');
        String user = colon >= 0 ? username.substring(colon + 1) : username;
        OptionalLong fromStore = storeLimits.apply(user);
        if (fromStore.isPresent()) {
            return fromStore.getAsLong();
        }
        Integer configured = perUser.get(user);
        return configured != null ? configured : maxBps;
    }

    /** The burst for a rate: a quarter second of it, at least {@value #MIN_BURST} bytes. */
    static long burstFor(long rate) {
        return Math.max(MIN_BURST, rate / 4);
    }

    /** Takes {@code rate} out of the capacity; false when there is not that much left (answer 508). */
    boolean reserve(long rate) {
        if (capacity == 0 || rate == 0) {
            return true;
        }
        for (;;) {
            long used = reserved.get();
            if (used + rate > capacity) {
                return false;
            }
            if (reserved.compareAndSet(used, used + rate)) {
                return true;
            }
        }
    }

    /** Gives back what {@link #reserve} took. */
    void release(long rate) {
        if (capacity != 0 && rate != 0) {
            reserved.addAndGet(-rate);
        }
    }

    /** Bytes per second handed out (admin status). */
    long reserved() {
        return reserved.get();
    }
}
