package io.traverse.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Caffeine cache in front of a {@link UserStore}, so that the database sees a bounded number of queries whatever
 * the clients do:
 *
 * <ul>
 *   <li><b>bounded and TTL'd</b>: at most {@code maxSize} users; a found user is trusted for {@code ttl};
 *   <li><b>negative caching</b>: "no such user" is cached for {@code negativeTtl}, so repeating an unknown name
 *       costs one query per {@code negativeTtl};
 *   <li><b>refresh-ahead</b>: a user read after {@code refreshAfter} is re-read in the background while the cached
 *       key keeps answering; a failed refresh keeps the old key until its TTL;
 *   <li><b>single flight</b>: concurrent look-ups of one user share one query (Caffeine's in-flight future);
 *   <li><b>query budget</b>: a token bucket ({@code lookupsPerSecond}, {@code lookupBurst}) bounds the queries a
 *       flood of random usernames can cause; a look-up over budget fails with {@link StoreUnavailableException}
 *       (the request gets 500, the client tries again);
 *   <li><b>store down</b>: after a failed query the store is marked down and no query is sent for {@code
 *       retryInterval}; cached users keep working, new users get {@link StoreUnavailableException}. The next query
 *       after the interval probes the store: success marks it up again (automatic recovery).
 * </ul>
 *
 * Futures returned here complete on the store's thread (or at once, on the caller's thread, for a cache hit); the
 * caller moves the continuation to its own event loop. Thread-safe.
 */
public final class CachingUserStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CachingUserStore.class);

    private record UserKey(String username, String realm) {}

    /** Settings of the cache; durations at least 1 ms except {@code refreshAfter} (zero: no refresh-ahead). */
    public record Settings(long maxSize, Duration ttl, Duration negativeTtl, Duration refreshAfter,
            int lookupsPerSecond, int lookupBurst, Duration retryInterval) {
        public Settings {
            if (maxSize < 0 || lookupsPerSecond < 1 || lookupBurst < 1) {
                throw new IllegalArgumentException("maxSize >= 0, lookupsPerSecond >= 1, lookupBurst >= 1");
            }
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(negativeTtl, "negativeTtl");
            Objects.requireNonNull(refreshAfter, "refreshAfter");
            Objects.requireNonNull(retryInterval, "retryInterval");
        }
    }

    private final UserStore store;
    private final Settings settings;
    private final Ticker ticker;
    private final AsyncLoadingCache<UserKey, Optional<UserEntry>> users;
    private final AsyncLoadingCache<String, List<String>> secrets;
    private final AtomicLong queries = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong overBudget = new AtomicLong();
    /** GCRA theoretical arrival time of the query budget. */
    private final AtomicLong budgetTat = new AtomicLong(Long.MIN_VALUE);
    private final long budgetInterval;
    private final long budgetTolerance;
    /** Ticker time before which no query is sent; {@code Long.MIN_VALUE} while the store is up. */
    private volatile long downUntil = Long.MIN_VALUE;
    private volatile String lastFailure;

    public CachingUserStore(UserStore store, Settings settings) {
        this(store, settings, Ticker.systemTicker(), Runnable::run);
    }

    /**
     * @param ticker time source of TTLs, refresh, budget and retry interval (tests)
     * @param executor runs Caffeine's maintenance and refresh scheduling
     */
    public CachingUserStore(UserStore store, Settings settings, Ticker ticker, Executor executor) {
        this.store = Objects.requireNonNull(store, "store");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.budgetInterval = 1_000_000_000L / settings.lookupsPerSecond();
        this.budgetTolerance = budgetInterval * (settings.lookupBurst() - 1L);
        long ttl = settings.ttl().toNanos();
        long negative = settings.negativeTtl().toNanos();
        Caffeine<Object, Object> builder = Caffeine.newBuilder()
                .maximumSize(settings.maxSize())
                .ticker(ticker)
                .executor(executor);
        if (!settings.refreshAfter().isZero() && settings.refreshAfter().compareTo(settings.ttl()) < 0) {
            builder.refreshAfterWrite(settings.refreshAfter());
        }
        this.users = builder.expireAfter(new Expiry<UserKey, Optional<UserEntry>>() {
            @Override
            public long expireAfterCreate(UserKey key, Optional<UserEntry> value, long now) {
                return value.isPresent() ? ttl : negative;
            }

            @Override
            public long expireAfterUpdate(UserKey key, Optional<UserEntry> value, long now, long current) {
                return value.isPresent() ? ttl : negative;
            }

            @Override
            public long expireAfterRead(UserKey key, Optional<UserEntry> value, long now, long current) {
                return current;
            }
        }).buildAsync((key, ignored) -> query(() -> store.user(key.username(), key.realm())));
        this.secrets = Caffeine.newBuilder()
                .maximumSize(64)
                .expireAfterWrite(settings.ttl())
                .ticker(ticker)
                .executor(executor)
                .buildAsync((realm, ignored) -> query(() -> store.restSecrets(realm)));
    }

    /**
     * The user, from the cache or the store. Completes exceptionally with {@link StoreUnavailableException} when the
     * store is down or the query budget is spent and the user is not cached.
     */
    public CompletableFuture<Optional<UserEntry>> user(String username, String realm) {
        return users.get(new UserKey(username, realm));
    }

    /** The REST secrets of {@code realm} kept in the store (cached for {@code ttl}). */
    public CompletableFuture<List<String>> restSecrets(String realm) {
        return secrets.get(realm);
    }

    private <T> CompletableFuture<T> query(java.util.function.Supplier<CompletableFuture<T>> call) {
        long now = ticker.read();
        long until = downUntil;
        if (until != Long.MIN_VALUE && now - until < 0) {
            return CompletableFuture.failedFuture(new StoreUnavailableException(
                    "credential store " + store.describe() + " is down: " + lastFailure));
        }
        if (!takeBudget(now)) {
            overBudget.incrementAndGet();
            return CompletableFuture.failedFuture(new StoreUnavailableException(
                    "credential store look-up budget exceeded (" + settings.lookupsPerSecond() + "/s)"));
        }
        queries.incrementAndGet();
        CompletableFuture<T> result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.whenComplete((value, error) -> {
            if (error == null) {
                if (downUntil != Long.MIN_VALUE) {
                    LOG.info("credential store {} is reachable again", store.describe());
                    downUntil = Long.MIN_VALUE;
                }
            } else {
                failures.incrementAndGet();
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                boolean wasUp = downUntil == Long.MIN_VALUE;
                lastFailure = cause.getMessage();
                downUntil = ticker.read() + settings.retryInterval().toNanos();
                if (wasUp) {
                    LOG.warn("credential store {} is down ({}); cached users keep working, retrying every {}",
                            store.describe(), cause.getMessage(), settings.retryInterval());
                }
            }
        });
    }

    private boolean takeBudget(long now) {
        return RateLimiter.take(budgetTat, now, budgetInterval, budgetTolerance);
    }

    /** False from a failed query until a later query succeeds. */
    public boolean isAvailable() {
        return downUntil == Long.MIN_VALUE;
    }

    /** Why the store is down (the last error's message), or null while it is up. */
    public String failure() {
        return isAvailable() ? null : lastFailure;
    }

    /** Queries sent to the store (look-ups and refreshes). */
    public long queries() {
        return queries.get();
    }

    /** Queries that failed. */
    public long failures() {
        return failures.get();
    }

    /** Look-ups refused because the query budget was spent. */
    public long overBudget() {
        return overBudget.get();
    }

    /** Users (and cached "no such user" answers) held now. */
    public long cachedUsers() {
        users.synchronous().cleanUp();
        return users.synchronous().estimatedSize();
    }

    /** Forgets every cached answer (after {@code turn-cli user delete}, or a reload). */
    public void invalidateAll() {
        users.synchronous().invalidateAll();
        secrets.synchronous().invalidateAll();
    }

    public UserStore store() {
        return store;
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "CachingUserStore[" + store.describe() + "]";
    }
}
