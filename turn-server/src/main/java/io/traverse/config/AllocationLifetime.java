package io.traverse.config;

import java.time.Duration;

/**
 * Allocation lifetimes ({@code relay.allocation-lifetime}, RFC 8656 §7.2 step 7 and §3.7): the lifetime
 * granted when the client asks for less (or nothing), and the most the server grants. Both are whole
 * seconds, at least 1 s, because they travel in the 32-bit LIFETIME attribute (RFC 8656 §18.2).
 *
 * @param defaultLifetime YAML key {@code default}; RFC 8656 default 600 s
 * @param max             upper bound; RFC 8656 recommends no more than 3600 s
 */
public record AllocationLifetime(Duration defaultLifetime, Duration max) {

    public AllocationLifetime {
        Validator v = new Validator();
        boolean okDefault = v.wholeSeconds("default", defaultLifetime);
        boolean okMax = v.wholeSeconds("max", max);
        if (okDefault && okMax && defaultLifetime.compareTo(max) > 0) {
            v.add("default", "must not exceed max (" + Durations.format(max) + "), got "
                    + Durations.format(defaultLifetime));
        }
        v.done();
    }

    /** default 600 s, max 3600 s. */
    public static AllocationLifetime defaults() {
        return new AllocationLifetime(Duration.ofSeconds(600), Duration.ofSeconds(3600));
    }
}
