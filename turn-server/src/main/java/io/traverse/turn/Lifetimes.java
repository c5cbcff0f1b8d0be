package io.traverse.turn;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Lifetimes of allocations, permissions and channel bindings, and the RFC rules that turn a
 * requested LIFETIME into a granted one.
 *
 * @param allocationDefault default allocation lifetime, 600 s (RFC 8656 §2 "Default lifetime",
 *                          §7.2); also the floor for requested lifetimes
 * @param allocationMax     maximum allocation lifetime; RFC 8656 §7.2 RECOMMENDS no more than 3600 s
 * @param permission        permission lifetime; RFC 8656 §9: "The Permission Lifetime MUST be 300
 *                          seconds" (configurable only for experiments)
 * @param channel           channel binding lifetime, 10 minutes (RFC 8656 §12)
 */
public record Lifetimes(Duration allocationDefault, Duration allocationMax, Duration permission,
                        Duration channel) {

    /**
     * After a channel binding expires, neither its number nor its peer may be bound to anything else
     * for 5 minutes (RFC 8656 §12: "the client MUST wait 5 minutes after the channel binding expires
     * before attempting to bind the channel number to a different transport address or the transport
     * address to a different channel number"). The server enforces the same delay.
     */
    public static final Duration CHANNEL_REUSE_DELAY = Duration.ofMinutes(5);

    /** The LIFETIME attribute is a 32-bit unsigned number of seconds (RFC 8656 §18.2). */
    public static final long MAX_LIFETIME_ATTRIBUTE = 0xFFFF_FFFFL;

    private static final Lifetimes DEFAULTS = new Lifetimes(Duration.ofSeconds(600), Duration.ofSeconds(3600),
            Duration.ofSeconds(300), Duration.ofSeconds(600));

    /** Validates: all positive whole seconds, default not above maximum, maximum fits a LIFETIME. */
    public Lifetimes {
        requireWholePositiveSeconds(allocationDefault, "allocationDefault");
        requireWholePositiveSeconds(allocationMax, "allocationMax");
        requireWholePositiveSeconds(permission, "permission");
        requireWholePositiveSeconds(channel, "channel");
        if (allocationDefault.compareTo(allocationMax) > 0) {
            throw new IllegalArgumentException("allocationDefault (" + allocationDefault.toSeconds()
                    + " s) must not exceed allocationMax (" + allocationMax.toSeconds() + " s)");
        }
        if (allocationMax.toSeconds() > MAX_LIFETIME_ATTRIBUTE) {
            throw new IllegalArgumentException("allocationMax does not fit a 32-bit LIFETIME: " + allocationMax);
        }
    }

    /** The permission lifetime in nanoseconds. */
    public long permissionNanos() {
        return permission.toNanos();
    }

    /** The channel binding lifetime in nanoseconds. */
    public long channelNanos() {
        return channel.toNanos();
    }

    /** 600 s default / 3600 s maximum allocation, 300 s permission, 600 s channel. */
    public static Lifetimes defaults() {
        return DEFAULTS;
    }

    /**
     * Initial time-to-expiry of a new allocation, RFC 8656 §7.2: "If the request contains a LIFETIME
     * attribute, then the server computes the minimum of the client's proposed lifetime and the
     * server's maximum allowed lifetime. If this computed value is greater than the default lifetime,
     * then the server uses the computed lifetime ... Otherwise, the server uses the default lifetime."
     * A requested 0 therefore yields the default on Allocate.
     *
     * @param requestedSeconds the LIFETIME attribute as an unsigned value, or empty when absent
     * @return granted lifetime in seconds, always in [allocationDefault, allocationMax]
     */
    public long allocateLifetimeSeconds(OptionalLong requestedSeconds) {
        Objects.requireNonNull(requestedSeconds, "requestedSeconds");
        if (requestedSeconds.isEmpty()) {
            return allocationDefault.toSeconds();
        }
        long computed = Math.min(checkRequested(requestedSeconds.getAsLong()), allocationMax.toSeconds());
        return Math.max(computed, allocationDefault.toSeconds());
    }

    /**
     * The "desired lifetime" of a Refresh, RFC 8656 §8.2: zero when LIFETIME is present and zero
     * (the allocation is deleted); otherwise computed exactly as for Allocate (§7.2).
     *
     * @param requestedSeconds the LIFETIME attribute as an unsigned value, or empty when absent
     * @return 0 to delete, else the new time-to-expiry in seconds
     */
    public long refreshLifetimeSeconds(OptionalLong requestedSeconds) {
        Objects.requireNonNull(requestedSeconds, "requestedSeconds");
        if (requestedSeconds.isPresent() && checkRequested(requestedSeconds.getAsLong()) == 0) {
            return 0;
        }
        return allocateLifetimeSeconds(requestedSeconds);
    }

    private static long checkRequested(long seconds) {
        if (seconds < 0 || seconds > MAX_LIFETIME_ATTRIBUTE) {
            throw new IllegalArgumentException("LIFETIME must be an unsigned 32-bit value, got " + seconds);
        }
        return seconds;
    }

    private static void requireWholePositiveSeconds(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        if (d.getNano() != 0) {
            throw new IllegalArgumentException(name + " must be a whole number of seconds, got " + d);
        }
    }
}
