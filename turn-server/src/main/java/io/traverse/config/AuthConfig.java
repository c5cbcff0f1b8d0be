package io.traverse.config;

import io.traverse.stun.auth.PasswordAlgorithm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code auth} section: where long-term credentials come from (RFC 8489 §9.2) and how the server
 * limits unauthenticated traffic. With no users file and no REST secrets nobody can allocate; STUN
 * Binding still works.
 *
 * <p>{@link #toString()} never prints {@code restSecrets}; it prints how many there are.
 *
 * @param usersFile                file of users and derived keys, or {@code null}
 * @param restSecretsFile          file of TURN REST API shared secrets, one per line, or {@code null}
 * @param restSecrets              inline TURN REST API shared secrets (discouraged: prefer the file);
 *                                 each non-empty
 * @param nonceLifetime            how long a NONCE stays valid before 438 Stale Nonce, at least 1 s
 * @param passwordAlgorithms       PASSWORD-ALGORITHMS offered, in order of preference, at least one, no
 *                                 repeats (RFC 8489 §9.2.1, §14.11)
 * @param credentialCache          derived key cache
 * @param unauthenticatedRateLimit per-source-IP limit before authentication
 * @param restMaxTtl               longest lifetime a TURN REST username may still have; one that expires later
 *                                 is refused (401), at least 1 s
 * @param store                    external credential store (PostgreSQL, Redis), {@link StoreConfig#defaults()}
 *                                 for none
 */
public record AuthConfig(
        Path usersFile,
        Path restSecretsFile,
        List<String> restSecrets,
        Duration nonceLifetime,
        List<PasswordAlgorithm> passwordAlgorithms,
        CredentialCacheConfig credentialCache,
        RateLimitConfig unauthenticatedRateLimit,
        Duration restMaxTtl,
        StoreConfig store) {

    public AuthConfig {
        Validator v = new Validator();
        if (v.list("rest-secrets", restSecrets)) {
            for (int i = 0; i < restSecrets.size(); i++) {
                if (restSecrets.get(i).isEmpty()) {
                    v.add(Keys.index("rest-secrets", i), "must not be empty");
                }
            }
        }
        v.duration("nonce-lifetime", nonceLifetime, Duration.ofSeconds(1));
        if (v.list("password-algorithms", passwordAlgorithms)) {
            if (passwordAlgorithms.isEmpty()) {
                v.add("password-algorithms", "must contain at least one of sha256, md5");
            }
            Set<PasswordAlgorithm> seen = EnumSet.noneOf(PasswordAlgorithm.class);
            for (PasswordAlgorithm a : passwordAlgorithms) {
                if (!seen.add(a)) {
                    v.add("password-algorithms", a.name().toLowerCase(java.util.Locale.ROOT)
                            + " is listed more than once");
                }
            }
        }
        v.notNull("credential-cache", credentialCache);
        v.notNull("unauthenticated-rate-limit", unauthenticatedRateLimit);
        v.duration("rest-max-ttl", restMaxTtl, Duration.ofSeconds(1));
        v.notNull("store", store);
        v.done();
        restSecrets = List.copyOf(restSecrets);
        passwordAlgorithms = List.copyOf(passwordAlgorithms);
    }

    /** As the canonical constructor with the default REST max TTL and no external credential store. */
    public AuthConfig(Path usersFile, Path restSecretsFile, List<String> restSecrets, Duration nonceLifetime,
            List<PasswordAlgorithm> passwordAlgorithms, CredentialCacheConfig credentialCache,
            RateLimitConfig unauthenticatedRateLimit) {
        this(usersFile, restSecretsFile, restSecrets, nonceLifetime, passwordAlgorithms, credentialCache,
                unauthenticatedRateLimit, DEFAULT_REST_MAX_TTL, StoreConfig.defaults());
    }

    /** As the canonical constructor without an external credential store. */
    public AuthConfig(Path usersFile, Path restSecretsFile, List<String> restSecrets, Duration nonceLifetime,
            List<PasswordAlgorithm> passwordAlgorithms, CredentialCacheConfig credentialCache,
            RateLimitConfig unauthenticatedRateLimit, Duration restMaxTtl) {
        this(usersFile, restSecretsFile, restSecrets, nonceLifetime, passwordAlgorithms, credentialCache,
                unauthenticatedRateLimit, restMaxTtl, StoreConfig.defaults());
    }

    /** As the canonical constructor with the default REST max TTL. */
    public AuthConfig(Path usersFile, Path restSecretsFile, List<String> restSecrets, Duration nonceLifetime,
            List<PasswordAlgorithm> passwordAlgorithms, CredentialCacheConfig credentialCache,
            RateLimitConfig unauthenticatedRateLimit, StoreConfig store) {
        this(usersFile, restSecretsFile, restSecrets, nonceLifetime, passwordAlgorithms, credentialCache,
                unauthenticatedRateLimit, DEFAULT_REST_MAX_TTL, store);
    }

    /** Default of {@code rest-max-ttl}: 7 days. */
    public static final Duration DEFAULT_REST_MAX_TTL = Duration.ofDays(7);

    /** No credential sources, nonces 600 s, sha256 then md5, default cache and rate limit, REST TTL ≤ 7 days. */
    public static AuthConfig defaults() {
        return new AuthConfig(null, null, List.of(), Duration.ofSeconds(600),
                List.of(PasswordAlgorithm.SHA256, PasswordAlgorithm.MD5),
                CredentialCacheConfig.defaults(), RateLimitConfig.defaults());
    }

    /** Like the record's toString, with the inline secrets replaced by their count. */
    @Override
    public String toString() {
        return "AuthConfig[usersFile=" + usersFile
                + ", restSecretsFile=" + restSecretsFile
                + ", restSecrets=<" + restSecrets.size() + " redacted>"
                + ", nonceLifetime=" + nonceLifetime
                + ", passwordAlgorithms=" + passwordAlgorithms
                + ", credentialCache=" + credentialCache
                + ", unauthenticatedRateLimit=" + unauthenticatedRateLimit
                + ", restMaxTtl=" + restMaxTtl
                + ", store=" + store + "]";
    }
}
