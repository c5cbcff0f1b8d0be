package io.traverse.server;

import io.traverse.auth.CachingUserStore;
import io.traverse.auth.CredentialFileException;
import io.traverse.auth.CredentialFiles;
import io.traverse.auth.CredentialStore;
import io.traverse.auth.RateLimiter;
import io.traverse.auth.RestSecrets;
import io.traverse.auth.StatelessNonces;
import io.traverse.auth.UserStores;
import io.traverse.auth.UsersFile;
import io.traverse.config.AuthConfig;
import io.traverse.config.RateLimitConfig;
import io.traverse.config.StoreConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.stun.auth.SecurityFeature;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication side of a server, built from {@code auth}: the credential store with its users and secrets files
 * (polled) and its external store (or none), the nonces, the rate limiter of unauthenticated answers, and the
 * {@link Authenticator} over them.
 *
 * @param files the users and secrets files being polled, or null when neither is configured
 * @param store the external credential store of {@code auth.store} behind its cache, or null
 */
record ServerAuth(CredentialStore credentials, CredentialFiles files, CachingUserStore store, RateLimiter limiter,
        Authenticator authenticator) {
    private static final Logger LOG = LoggerFactory.getLogger(ServerAuth.class);
    /** How often the users and secrets files are checked for changes. */
    static final Duration CREDENTIAL_POLL = Duration.ofSeconds(1);

    /**
     * Loads the credentials and opens the store; what it opened is closed by {@code closer}.
     *
     * @throws IllegalStateException naming the problem when a credential file or the store's password file cannot
     *     be read
     */
    static ServerAuth open(AuthConfig auth, String realm, TraverseMetrics metrics, Closer closer) {
        Clock wallClock = Clock.systemUTC();
        CredentialStore credentials = new CredentialStore(UsersFile.empty(), RestSecrets.none(wallClock),
                auth.credentialCache().maxSize(), auth.credentialCache().ttl());
        credentials.restMaxTtl(auth.restMaxTtl());
        CredentialFiles files = closer.add(loadCredentials(auth, credentials, wallClock));
        CachingUserStore store = closer.add(openUserStore(auth, credentials, metrics));
        RateLimiter limiter = rateLimiter(auth.unauthenticatedRateLimit());
        Authenticator authenticator = new Authenticator(realm, credentials, nonces(auth, store != null, wallClock),
                limiter, auth.passwordAlgorithms());
        return new ServerAuth(credentials, files, store, limiter, authenticator);
    }

    /**
     * Username anonymity (USERHASH) is announced only without TURN REST secrets: a REST username carries its expiry
     * and cannot be found from its hash, and RFC 8489 §9.2.3.2 clients that see the bit send USERHASH. USERHASH from
     * a client is accepted either way when the user is in the users file.
     */
    private static StatelessNonces nonces(AuthConfig auth, boolean storeConfigured, Clock clock) {
        boolean restConfigured = auth.restSecretsFile() != null || !auth.restSecrets().isEmpty()
                || storeConfigured; // a store may hold REST secrets, and its users cannot be found by hash
        return new StatelessNonces(auth.nonceLifetime(), restConfigured
                ? EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS)
                : EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS, SecurityFeature.USERNAME_ANONYMITY), clock);
    }

    private static RateLimiter rateLimiter(RateLimitConfig rate) {
        return rate.enabled()
                ? new RateLimiter(rate.perSecond(), rate.burst(), 100_000, Duration.ofMinutes(1), System::nanoTime)
                : RateLimiter.disabled();
    }

    /**
     * The users and secrets files, loaded and polled (null when neither is configured), and the inline
     * {@code auth.rest-secrets} unless a secrets file is configured.
     */
    private static CredentialFiles loadCredentials(AuthConfig auth, CredentialStore store, Clock clock) {
        CredentialFiles files = null;
        if (auth.usersFile() != null || auth.restSecretsFile() != null) {
            files = new CredentialFiles(store, auth.usersFile(), auth.restSecretsFile(), clock);
            try {
                files.load(); // replaces the REST secrets too: none without a secrets file
            } catch (CredentialFileException e) {
                throw new IllegalStateException("cannot load credentials: " + e.getMessage(), e);
            }
        }
        if (auth.restSecretsFile() == null && !auth.restSecrets().isEmpty()) {
            store.replaceRestSecrets(RestSecrets.of(auth.restSecrets(), clock));
        }
        if (files != null) {
            files.start(CREDENTIAL_POLL);
        }
        return files;
    }

    /** The external credential store of {@code auth.store} behind its cache, or null when none is configured. */
    private static CachingUserStore openUserStore(AuthConfig auth, CredentialStore credentials,
            TraverseMetrics metrics) {
        StoreConfig store = auth.store();
        if (!store.enabled()) {
            return null;
        }
        String password = null;
        if (store.passwordFile() != null) {
            try {
                password = UserStores.readPassword(store.passwordFile());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("auth.store.password-file " + store.passwordFile()
                        + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
            }
        }
        CachingUserStore cached = new CachingUserStore(
                UserStores.open(store.url(), password, store.timeout(), store.poolSize()),
                new CachingUserStore.Settings(auth.credentialCache().maxSize(), auth.credentialCache().ttl(),
                        store.negativeTtl(), store.refreshAfter(), store.lookupsPerSecond(), store.lookupBurst(),
                        store.retryInterval(), store.timeout()));
        credentials.attachStore(cached);
        metrics.bindCredentialStore(cached);
        LOG.info("credential store {}", cached.store().describe());
        return cached;
    }

    /** Re-reads the users and secrets files now (SIGHUP); true when there are none or they were read. */
    boolean reloadFiles() {
        return files == null || files.reload();
    }

    /** Why /readyz should look twice, or null: the credential store is down (cached users still work). */
    String storeProblem() {
        return store == null || store.isAvailable() ? null
                : "credential store " + store.store().describe() + " is down: " + store.failure();
    }
}
