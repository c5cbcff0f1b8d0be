package io.traverse.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The single credential lookup of the long-term credential mechanism (RFC 8489 §9.2.4): combines
 * the {@link UsersFile} and the TURN REST {@link RestSecrets}, both usable at the same time.
 *
 * <p>{@link #candidateKeys} returns every key that may verify a request's MESSAGE-INTEGRITY(-SHA256):
 * the users-file key first (if any), then one REST key per secret, newest secret first. The verifier
 * tries each in order (constant-time compare) and accepts on the first match; an empty list means
 * "unknown user" (401). Usually there is 0 or 1 key; several during REST secret rotation.
 *
 * <p>Users-file keys are precomputed when the file is parsed. REST keys are derived on demand
 * (HMAC-SHA1 plus a hash per secret) and cached in a bounded Caffeine cache ({@code
 * maximumSize}, {@code expireAfterWrite}); the REST expiry is checked on every call, never cached.
 *
 * <p>Reload without restart: the sources live in one volatile snapshot that {@link #replace}
 * swaps atomically. Each snapshot has a generation number that is part of the cache key, so a
 * lookup racing with a reload can never serve or store keys of the old sources under the new
 * generation; the cache is also invalidated on every swap to free memory at once.
 *
 * <p>Thread-safe. Returned arrays are fresh copies.
 */
public final class CredentialStore {
    private record Sources(long generation, UsersFile users, RestSecrets rest) {}

    private record CacheKey(long generation, String username, String realm, PasswordAlgorithm algorithm) {}

    /** Default longest accepted TURN REST credential lifetime ({@code auth.rest-max-ttl}). */
    public static final Duration DEFAULT_REST_MAX_TTL = Duration.ofDays(7);

    private final Cache<CacheKey, List<byte[]>> cache;
    private volatile Sources sources;
    private volatile Duration restMaxTtl = DEFAULT_REST_MAX_TTL;
    /** The external store (PostgreSQL, Redis) with its cache, or null. */
    private volatile CachingUserStore store;

    /**
     * @param users the initial users file ({@link UsersFile#empty()} for none)
     * @param rest the initial REST secrets ({@link RestSecrets#none} for none)
     * @param cacheMaximumSize bound on cached REST derivations (0 disables caching)
     * @param cacheTtl how long a cached derivation is kept after it was computed
     */
    public CredentialStore(UsersFile users, RestSecrets rest, long cacheMaximumSize, Duration cacheTtl) {
        this(users, rest, cacheMaximumSize, cacheTtl, Ticker.systemTicker());
    }

    /**
     * The longest lifetime a TURN REST username may still have: one whose expiry lies further ahead is refused (401
     * unknown user), so a leaked long-lived credential cannot be used for years.
     */
    public void restMaxTtl(Duration maxTtl) {
        if (maxTtl.getSeconds() < 1) {
            throw new IllegalArgumentException("REST max TTL must be at least 1 s, got " + maxTtl);
        }
        this.restMaxTtl = maxTtl;
    }

    /**
     * What an authenticated user's allocations count against in the per-user quota: a users-file user is its own
     * key; a TURN REST username ({@code expiry:user-id}) counts as its user id (RFC 8656 §7.2 step 7 leaves the
     * key to the server), so minting new credentials does not grant a new quota. REST credentials without a user id
     * share the empty key.
     */
    public String quotaKey(String username, String realm) {
        if (sources.users().contains(username, realm)) {
            return username;
        }
        return RestSecrets.userId(username).orElse(username);
    }

    /** As above with the cache's time source injected (tests). */
    public CredentialStore(UsersFile users, RestSecrets rest, long cacheMaximumSize, Duration cacheTtl, Ticker ticker) {
        if (cacheMaximumSize < 0) {
            throw new IllegalArgumentException("cacheMaximumSize must be >= 0");
        }
        this.sources = new Sources(0, Objects.requireNonNull(users, "users"), Objects.requireNonNull(rest, "rest"));
        this.cache = Caffeine.newBuilder()
                .maximumSize(cacheMaximumSize)
                .expireAfterWrite(Objects.requireNonNull(cacheTtl, "cacheTtl"))
                .ticker(Objects.requireNonNull(ticker, "ticker"))
                .executor(Runnable::run)
                .build();
    }

    /**
     * Every key that may authenticate {@code username} in {@code realm} with {@code algorithm};
     * empty for an unknown user or an expired REST username.
     *
     * @param username as received in USERNAME (or resolved from USERHASH)
     * @param realm as received in REALM
     */
    public List<byte[]> candidateKeys(String username, String realm, PasswordAlgorithm algorithm) {
        Objects.requireNonNull(algorithm, "algorithm");
        if (username == null || realm == null) {
            return List.of();
        }
        Sources s = sources;
        List<byte[]> result = new ArrayList<>(2);
        s.users().key(username, realm, algorithm).ifPresent(result::add);
        if (s.rest().size() > 0 && s.rest().isLive(username, restMaxTtl)) {
            List<byte[]> rest = cache.get(new CacheKey(s.generation(), username, realm, algorithm),
                    k -> List.copyOf(s.rest().keys(username, realm, algorithm)));
            for (byte[] k : rest) {
                result.add(k.clone());
            }
        }
        return result;
    }

    /**
     * {@link #candidateKeys} plus the keys of the external {@link UserStore}, if one is attached: for a live TURN REST
     * username one key per REST secret the store holds for {@code realm}, otherwise the stored user's key. Completes
     * at once on the caller's thread when the answer is local or cached; otherwise on the store's thread, and
     * exceptionally with {@link StoreUnavailableException} when the store cannot answer and no local key exists.
     */
    public CompletableFuture<List<byte[]>> candidateKeysAsync(String username, String realm,
            PasswordAlgorithm algorithm) {
        List<byte[]> local = candidateKeys(username, realm, algorithm);
        CachingUserStore external = store;
        if (external == null || username == null || realm == null) {
            return CompletableFuture.completedFuture(local);
        }
        RestSecrets fileSecrets = sources.rest();
        CompletableFuture<List<byte[]>> stored;
        if (fileSecrets.isLive(username)) {
            stored = external.restSecrets(realm).thenApply(secrets -> secrets.isEmpty() ? List.of()
                    : RestSecrets.of(secrets, fileSecrets.clock()).keys(username, realm, algorithm));
        } else {
            stored = external.user(username, realm).thenApply(user -> user.flatMap(u -> u.key(algorithm))
                    .map(List::of).orElse(List.of()));
        }
        if (stored.isDone() && !stored.isCompletedExceptionally()) {
            return CompletableFuture.completedFuture(concat(local, stored.join()));
        }
        return stored.handle((keys, error) -> {
            if (error != null) {
                if (local.isEmpty()) {
                    throw error instanceof CompletionException ? (CompletionException) error
                            : new CompletionException(error);
                }
                return local;
            }
            return concat(local, keys);
        });
    }

    private static List<byte[]> concat(List<byte[]> local, List<byte[]> stored) {
        if (stored.isEmpty()) {
            return local;
        }
        List<byte[]> all = new ArrayList<>(local.size() + stored.size());
        all.addAll(local);
        all.addAll(stored);
        return all;
    }

    /** Attaches (or with null detaches) the external credential store consulted by {@link #candidateKeysAsync}. */
    public void attachStore(CachingUserStore store) {
        this.store = store;
    }

    /**
     * The username whose USERHASH (RFC 8489 §14.4) is {@code hash} in {@code realm}. Only users-file
     * users can be found: a REST username embeds its expiry and cannot be enumerated.
     */
    public Optional<String> resolveUserHash(byte[] hash, String realm) {
        return sources.users().usernameForHash(hash, realm);
    }

    /** Replaces both sources atomically and invalidates the cache. */
    public synchronized void replace(UsersFile users, RestSecrets rest) {
        Sources old = sources;
        sources = new Sources(old.generation() + 1, Objects.requireNonNull(users, "users"),
                Objects.requireNonNull(rest, "rest"));
        cache.invalidateAll();
    }

    /** Replaces the users file, keeping the REST secrets. */
    public synchronized void replaceUsers(UsersFile users) {
        replace(users, sources.rest());
    }

    /** Replaces the REST secrets, keeping the users file. */
    public synchronized void replaceRestSecrets(RestSecrets rest) {
        replace(sources.users(), rest);
    }

    /** The current users file. */
    public UsersFile users() {
        return sources.users();
    }

    /** The current REST secrets. */
    public RestSecrets restSecrets() {
        return sources.rest();
    }

    /** Approximate number of cached REST derivations (for metrics and tests). */
    public long cachedEntryCount() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    @Override
    public String toString() {
        Sources s = sources;
        return "CredentialStore[" + s.users() + ", " + s.rest() + "]";
    }
}
