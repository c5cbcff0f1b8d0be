package io.traverse.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache in front of a credential store, shown with a store that counts its queries; time is a fake ticker. */
class CachingUserStoreTest {
    private static final String REALM = "example.org";
    private static final Duration TTL = Duration.ofSeconds(60);
    private static final Duration NEGATIVE_TTL = Duration.ofSeconds(10);
    private static final Duration REFRESH = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private CountingUserStore store;
    private CachingUserStore cache;

    @BeforeEach
    void setUp() throws Exception {
        store = new CountingUserStore();
        store.put(UserEntry.fromPassword("alice", REALM, "secret")).join();
        cache = cache(100, 50);
    }

    private CachingUserStore cache(int perSecond, int burst) {
        return new CachingUserStore(store,
                new CachingUserStore.Settings(1000, TTL, NEGATIVE_TTL, REFRESH, perSecond, burst, RETRY,
                        Duration.ofSeconds(5)),
                nanos::get, Runnable::run);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aKnownUserIsQueriedOncePerTtl() {
        assertTrue(cache.user("alice", REALM).join().isPresent());
        assertTrue(cache.user("alice", REALM).join().isPresent());
        assertEquals(1, store.userQueries.get());
        advance(TTL.plusSeconds(1));
        assertTrue(cache.user("alice", REALM).join().isPresent());
        assertEquals(2, store.userQueries.get(), "an expired entry is read again");
    }

    @Test
    void anUnknownUserIsCachedNegativelyForTheShorterTtl() {
        for (int i = 0; i < 100; i++) {
            assertEquals(Optional.empty(), cache.user("mallory", REALM).join());
        }
        assertEquals(1, store.userQueries.get());
        advance(NEGATIVE_TTL.plusSeconds(1));
        assertEquals(Optional.empty(), cache.user("mallory", REALM).join());
        assertEquals(2, store.userQueries.get(), "the negative answer expired after negative-ttl, not ttl");
    }

    @Test
    void concurrentLookupsOfOneUserShareOneQuery() {
        store.hold = true;
        List<CompletableFuture<Optional<UserEntry>>> pending = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pending.add(cache.user("alice", REALM));
        }
        assertTrue(pending.stream().noneMatch(CompletableFuture::isDone), "the store has not answered yet");
        assertEquals(1, store.userQueries.get(), "100 look-ups in flight, one query");
        assertEquals(1, store.release());
        pending.forEach(f -> assertTrue(f.join().isPresent()));
    }

    @Test
    void aUserReadAfterRefreshAfterIsReloadedInTheBackgroundWhileTheOldKeyAnswers() throws Exception {
        cache.user("alice", REALM).join();
        store.put(UserEntry.fromPassword("alice", REALM, "rotated")).join();
        advance(REFRESH.plusSeconds(1));
        store.hold = true;
        CompletableFuture<Optional<UserEntry>> during = cache.user("alice", REALM);
        assertTrue(during.isDone(), "a refresh never makes the caller wait");
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, "alice", REALM, "secret"),
                during.join().orElseThrow().key(PasswordAlgorithm.MD5).orElseThrow());
        assertEquals(2, store.userQueries.get(), "the refresh query is sent");
        store.release();
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, "alice", REALM, "rotated"),
                cache.user("alice", REALM).join().orElseThrow().key(PasswordAlgorithm.MD5).orElseThrow());
    }

    @Test
    void aFloodOfRandomUsernamesMakesAtMostTheBudgetOfQueries() {
        int burst = 50;
        int refused = 0;
        for (int i = 0; i < 10_000; i++) {
            CompletableFuture<Optional<UserEntry>> f = cache.user("random-" + i, REALM);
            if (f.isCompletedExceptionally()) {
                refused++;
                assertStoreUnavailable(f);
            }
        }
        assertEquals(burst, store.userQueries.get(), "time stood still: the burst and no more");
        assertEquals(10_000 - burst, refused);
        assertEquals(10_000 - burst, cache.overBudget());
        assertTrue(cache.user("alice", REALM).isCompletedExceptionally(), "an uncached user also waits for budget");
        advance(Duration.ofSeconds(1));
        assertTrue(cache.user("alice", REALM).join().isPresent(), "the budget refills at lookups-per-second");
        assertTrue(cache.isAvailable(), "being over budget is not the store being down");
    }

    @Test
    void aStoreThatNeverAnswersIsDownWithAReasonForReadyz() {
        CachingUserStore quick = new CachingUserStore(store, new CachingUserStore.Settings(1000, TTL, NEGATIVE_TTL,
                REFRESH, 100, 50, RETRY, Duration.ofMillis(20)), nanos::get, Runnable::run);
        store.hold = true;
        CompletableFuture<Optional<UserEntry>> waiting = quick.user("bob", REALM);
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, waiting::join);
        assertInstanceOf(StoreUnavailableException.class, e.getCause(), "the request gets 500, not 401");
        assertFalse(quick.isAvailable());
        assertEquals("no answer within 20 ms", quick.failure(), "a timeout has a reason, not null");
    }

    @Test
    void whenTheStoreIsDownCachedUsersWorkNewUsersFailAtOnceAndRecoveryIsAutomatic() {
        assertTrue(cache.user("alice", REALM).join().isPresent());
        store.down = true;
        advance(REFRESH.plusSeconds(1));
        assertTrue(cache.user("alice", REALM).join().isPresent(), "a failed refresh keeps the cached key");
        assertFalse(cache.isAvailable());
        assertTrue(cache.failure().contains("connection refused"));
        int queries = store.userQueries.get();
        for (int i = 0; i < 1000; i++) {
            assertStoreUnavailable(cache.user("new-" + i, REALM));
        }
        assertEquals(queries, store.userQueries.get(), "while down, no query reaches the store before retry");
        assertTrue(cache.user("alice", REALM).join().isPresent(), "still cached within its TTL");

        store.down = false;
        advance(RETRY.plusSeconds(1));
        assertTrue(cache.user("bob", REALM).join().isEmpty(), "the first query after retry-interval probes the store");
        assertTrue(cache.isAvailable(), "and a success marks it up again");
    }

    @Test
    void restSecretsOfARealmAreCached() {
        store.addSecret("s1");
        assertEquals(List.of("s1"), cache.restSecrets(REALM).join());
        assertEquals(List.of("s1"), cache.restSecrets(REALM).join());
        assertEquals(1, store.secretQueries.get());
    }

    private static void assertStoreUnavailable(CompletableFuture<?> f) {
        assertTrue(f.isCompletedExceptionally());
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, f::join);
        assertInstanceOf(StoreUnavailableException.class, e.getCause());
    }
}
