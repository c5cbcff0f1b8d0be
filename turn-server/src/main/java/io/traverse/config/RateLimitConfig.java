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

    /**
     * 200 per second, burst 1000: an office of 200 browsers behind one NAT that start calls at the same moment,
     * each gathering up to 5 relay candidates (one 401 each), is never refused; an attacker spoofing one
     * victim's address still gets at most 200 small 401s a second sent to it.
     */
    public static RateLimitConfig defaults() {
        return new RateLimitConfig(200, 1000);
    }

    /** False when {@code per-second} is 0. */
    public boolean enabled() {
        return perSecond > 0;
    }
}
