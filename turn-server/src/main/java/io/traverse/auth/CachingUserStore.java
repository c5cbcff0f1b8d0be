package io.traverse.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.traverse.util.TokenBucket;
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

    /**
     * One answer of the store as cached: a value (possibly "no such user") or the failure, with the ticker time it was
     * loaded. Failures are cached values too, expiring at once, so Caffeine never sees (nor logs) an exceptional load,
     * and concurrent waiters of one load share the failure. A failed refresh keeps the old instance, whose {@code
     * loadedAt} keeps its expiry where it was: a cached key works for its TTL, not longer.
     */
    private static final class Loaded<T> {
        final T value;
        final StoreUnavailableException failure;
        final long loadedAt;

        Loaded(T value, StoreUnavailableException failure, long loadedAt) {
            this.value = value;
            this.failure = failure;
            this.loadedAt = loadedAt;
        }

        CompletableFuture<T> toFuture() {
            return failure == null ? CompletableFuture.completedFuture(value) : CompletableFuture.failedFuture(failure);
        }
    }

    /**
     * Settings of the cache; durations at least 1 ms except {@code refreshAfter} (zero: no refresh-ahead). {@code
     * queryTimeout} bounds a whole query, connecting included: a store that does not answer in time is down.
     */
    public record Settings(long maxSize, Duration ttl, Duration negativeTtl, Duration refreshAfter,
            int lookupsPerSecond, int lookupBurst, Duration retryInterval, Duration queryTimeout) {
        public Settings {
            if (maxSize < 0 || lookupsPerSecond < 1 || lookupBurst < 1) {
                throw new IllegalArgumentException("maxSize >= 0, lookupsPerSecond >= 1, lookupBurst >= 1");
            }
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(negativeTtl, "negativeTtl");
            Objects.requireNonNull(refreshAfter, "refreshAfter");
            Objects.requireNonNull(retryInterval, "retryInterval");
            Objects.requireNonNull(queryTimeout, "queryTimeout");
        }
    }

    private final UserStore store;
    private final Settings settings;
    private final Ticker ticker;
    private final AsyncLoadingCache<UserKey, Loaded<Optional<UserEntry>>> users;
    private final AsyncLoadingCache<String, Loaded<List<String>>> secrets;
    private final AtomicLong queries = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong overBudget = new AtomicLong();
    /** The query budget. */
    private final TokenBucket budget;
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
        this.budget = new TokenBucket(settings.lookupsPerSecond(), settings.lookupBurst());
        long ttl = settings.ttl().toNanos();
        long negative = settings.negativeTtl().toNanos();
        boolean refresh = !settings.refreshAfter().isZero() && settings.refreshAfter().compareTo(settings.ttl()) < 0;
        this.users = builder(executor, settings.maxSize(), refresh)
                .expireAfter(new Remaining<UserKey, Optional<UserEntry>>(v -> v.isPresent() ? ttl : negative))
                .buildAsync(new Loader<>(k -> store.user(k.username(), k.realm())));
        this.secrets = builder(executor, 64, refresh)
                .expireAfter(new Remaining<String, List<String>>(v -> ttl))
                .buildAsync(new Loader<>(store::restSecrets));
    }

    private Caffeine<Object, Object> builder(Executor executor, long maxSize, boolean refresh) {
        Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(maxSize).ticker(ticker).executor(executor);
        return refresh ? builder.refreshAfterWrite(settings.refreshAfter()) : builder;
    }

    /** Expiry: what is left of the answer's TTL, counted from when it was loaded; a failure expires at once. */
    private final class Remaining<K, T> implements Expiry<K, Loaded<T>> {
        private final java.util.function.ToLongFunction<T> ttlOf;

        Remaining(java.util.function.ToLongFunction<T> ttlOf) {
            this.ttlOf = ttlOf;
        }

        private long left(Loaded<T> loaded, long now) {
            return loaded.failure != null ? 0 : Math.max(0, loaded.loadedAt + ttlOf.applyAsLong(loaded.value) - now);
        }

        @Override
        public long expireAfterCreate(K key, Loaded<T> value, long now) {
            return left(value, now);
        }

        @Override
        public long expireAfterUpdate(K key, Loaded<T> value, long now, long current) {
            return left(value, now);
        }

        @Override
        public long expireAfterRead(K key, Loaded<T> value, long now, long current) {
            return current;
        }
    }

    /** Loads through {@link #query}; a refresh that fails keeps the old answer. */
    private final class Loader<K, T> implements com.github.benmanes.caffeine.cache.AsyncCacheLoader<K, Loaded<T>> {
        private final java.util.function.Function<K, CompletableFuture<T>> call;

        Loader(java.util.function.Function<K, CompletableFuture<T>> call) {
            this.call = call;
        }

        @Override
        public CompletableFuture<Loaded<T>> asyncLoad(K key, Executor executor) {
            return query(() -> call.apply(key));
        }

        @Override
        public CompletableFuture<Loaded<T>> asyncReload(K key, Loaded<T> old, Executor executor) {
            return query(() -> call.apply(key)).thenApply(fresh -> fresh.failure != null ? old : fresh);
        }
    }

    /**
     * The user, from the cache or the store. Completes exceptionally with {@link StoreUnavailableException} when the
     * store is down or the query budget is spent and the user is not cached.
     */
    public CompletableFuture<Optional<UserEntry>> user(String username, String realm) {
        return lookup(users, new UserKey(username, realm));
    }

    /** The REST secrets of {@code realm} kept in the store (cached for {@code ttl}). */
    public CompletableFuture<List<String>> restSecrets(String realm) {
        return lookup(secrets, realm);
    }

    /**
     * A cached answer (a read may start a background refresh), or a query when the store is up and the budget
     * allows one. A refused look-up leaves the cache alone: a flood during an outage must not evict good keys.
     */
    private <K, T> CompletableFuture<T> lookup(AsyncLoadingCache<K, Loaded<T>> cache, K key) {
        CompletableFuture<Loaded<T>> cached = cache.getIfPresent(key);
        if (cached != null) {
            return unwrap(cached);
        }
        StoreUnavailableException refused = admit(ticker.read());
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        return unwrap(cache.get(key));
    }

    /** Null when a query may be sent now (and takes budget for it); otherwise why not. */
    private StoreUnavailableException admit(long now) {
        StoreUnavailableException down = down(now);
        if (down != null) {
            return down;
        }
        if (!takeBudget(now)) {
            overBudget.incrementAndGet();
            return new StoreUnavailableException(
                    "credential store look-up budget exceeded (" + settings.lookupsPerSecond() + "/s)");
        }
        return null;
    }

    private StoreUnavailableException down(long now) {
        long until = downUntil;
        if (until != Long.MIN_VALUE && now - until < 0) {
            return new StoreUnavailableException("credential store " + store.describe() + " is down: " + lastFailure);
        }
        return null;
    }

    private static <T> CompletableFuture<T> unwrap(CompletableFuture<Loaded<T>> loaded) {
        if (loaded.isDone()) {
            return loaded.join().toFuture();
        }
        return loaded.thenCompose(Loaded::toFuture);
    }

    /**
     * One query (admitted by {@link #lookup}, or a refresh: refreshes need no budget, there is at most one per cached
     * entry and refresh-after); none while the store is down. Never completes exceptionally.
     */
    private <T> CompletableFuture<Loaded<T>> query(java.util.function.Supplier<CompletableFuture<T>> call) {
        long now = ticker.read();
        StoreUnavailableException down = down(now);
        if (down != null) {
            return CompletableFuture.completedFuture(new Loaded<>(null, down, now));
        }
        queries.incrementAndGet();
        CompletableFuture<T> result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result = result.orTimeout(settings.queryTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return result.handle((value, error) -> {
            long at = ticker.read();
            if (error == null) {
                if (downUntil != Long.MIN_VALUE) {
                    LOG.info("credential store {} is reachable again", store.describe());
                    downUntil = Long.MIN_VALUE;
                }
                return new Loaded<>(value, null, at);
            }
            failures.incrementAndGet();
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            boolean wasUp = downUntil == Long.MIN_VALUE;
            // orTimeout's TimeoutException has no message: say what happened (/readyz shows it)
            lastFailure = cause instanceof java.util.concurrent.TimeoutException
                    ? "no answer within " + settings.queryTimeout().toMillis() + " ms" : cause.getMessage();
            downUntil = at + settings.retryInterval().toNanos();
            if (wasUp) {
                LOG.warn("credential store {} is down ({}); cached users keep working, retrying every {}",
                        store.describe(), cause.getMessage(), settings.retryInterval());
            }
            StoreUnavailableException failure = cause instanceof StoreUnavailableException
                    ? (StoreUnavailableException) cause
                    : new StoreUnavailableException("credential store " + store.describe() + ": " + cause, cause);
            return new Loaded<>(null, failure, at);
        });
    }

    private boolean takeBudget(long now) {
        return budget.tryAcquire(now);
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
