package io.traverse.config;

/**
 * Token bucket per source IP for requests answered before authentication
 * ({@code auth.unauthenticated-rate-limit}): bounds the 401s an attacker can make the server send.
 *
 * @param perSecond refill rate, at least 0; 0 switches the limit off
 * @param burst     bucket size, at least 1
 */
public record RateLimitConfig(int perSecond, int burst) {

    public RateLimitConfig {
        Validator v = new Validator();
        v.atLeast("per-second", perSecond, 0);
        v.atLeast("burst", burst, 1);
        v.done();
    }

    /** 50 per second, burst 200. */
    public static RateLimitConfig defaults() {
        return new RateLimitConfig(50, 200);
    }

    /** False when {@code per-second} is 0. */
    public boolean enabled() {
        return perSecond > 0;
    }
}
