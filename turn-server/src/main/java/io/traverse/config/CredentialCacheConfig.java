package io.traverse.config;

import java.time.Duration;

/**
 * Cache of derived long-term keys ({@code auth.credential-cache}), so a burst of requests from one user
 * does not re-read or re-derive the key each time.
 *
 * @param maxSize entries kept, at least 0 (0 disables the cache)
 * @param ttl     how long an entry is trusted, at least 1 ms
 */
public record CredentialCacheConfig(int maxSize, Duration ttl) {

    public CredentialCacheConfig {
        Validator v = new Validator();
        v.atLeast("max-size", maxSize, 0);
        v.duration("ttl", ttl, Duration.ofMillis(1));
        v.done();
    }

    /** 100000 entries, 60 s. */
    public static CredentialCacheConfig defaults() {
        return new CredentialCacheConfig(100_000, Duration.ofSeconds(60));
    }
}
