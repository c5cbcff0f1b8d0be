package io.traverse.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CredentialStoreTest {
    private static final String REALM = "example.org";
    private final MutableClock clock = MutableClock.atEpochSecond(1_699_999_000L);
    private final AtomicLong ticker = new AtomicLong();

    private CredentialStore store(UsersFile users, RestSecrets rest) {
        return new CredentialStore(users, rest, 100, Duration.ofMinutes(5), ticker::get);
    }

    @Test
    void usersFileAndRestSecretsWorkTogether() throws Exception {
        UsersFile users = UsersFile.empty().add("alice", REALM, "pw");
        CredentialStore store = store(users, RestSecrets.of(List.of("s3cret"), clock));

        List<byte[]> alice = store.candidateKeys("alice", REALM, PasswordAlgorithm.SHA256);
        assertEquals(1, alice.size());
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.SHA256, "alice", REALM, "pw"), alice.get(0));

        String restUser = "1700000000:bob";
        List<byte[]> bob = store.candidateKeys(restUser, REALM, PasswordAlgorithm.MD5);
        assertEquals(1, bob.size());
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, restUser, REALM,
                RestSecrets.password("s3cret", restUser)), bob.get(0));

        assertEquals(0, store.candidateKeys("carol", REALM, PasswordAlgorithm.MD5).size());
        assertEquals(0, store.candidateKeys("alice", "other.org", PasswordAlgorithm.MD5).size());
        assertEquals(0, store.candidateKeys(null, REALM, PasswordAlgorithm.MD5).size());
    }

    @Test
    void restUsernameExpiringBeyondTheMaximumTtlHasNoKey() throws Exception {
        CredentialStore store = store(UsersFile.empty(), RestSecrets.of(List.of("s3cret"), clock));
        long now = clock.instant().getEpochSecond();
        String week = (now + Duration.ofDays(7).getSeconds()) + ":bob";
        String longer = (now + Duration.ofDays(7).getSeconds() + 1) + ":bob";
        assertEquals(1, store.candidateKeys(week, REALM, PasswordAlgorithm.MD5).size(), "default max TTL: 7 days");
        assertEquals(0, store.candidateKeys(longer, REALM, PasswordAlgorithm.MD5).size());
        store.restMaxTtl(Duration.ofHours(1));
        assertEquals(0, store.candidateKeys(week, REALM, PasswordAlgorithm.MD5).size());
        assertEquals(1, store.candidateKeys((now + 3600) + ":bob", REALM, PasswordAlgorithm.MD5).size());
    }

    @Test
    void quotaKeyOfARestUserIsItsUserId() throws Exception {
        CredentialStore store = store(UsersFile.empty().add("1700000000:file", REALM, "pw").add("alice", REALM, "pw"),
                RestSecrets.of(List.of("s3cret"), clock));
        assertEquals("bob", store.quotaKey("1700000000:bob", REALM));
        assertEquals("bob", store.quotaKey("1700003600:bob", REALM));
        assertEquals("bob:x", store.quotaKey("1700003600:bob:x", REALM));
        assertEquals("", store.quotaKey("1700003600", REALM), "REST credentials without a user id share one quota");
        assertEquals("alice", store.quotaKey("alice", REALM));
        assertEquals("1700000000:file", store.quotaKey("1700000000:file", REALM), "a users-file user is itself");
    }

    @Test
    void usersFileKeyComesBeforeRestKeys() throws Exception {
        String name = "1700000000:dual";
        UsersFile users = UsersFile.empty().add(name, REALM, "file-password");
        CredentialStore store = store(users, RestSecrets.of(List.of("new", "old"), clock));

        List<byte[]> keys = store.candidateKeys(name, REALM, PasswordAlgorithm.MD5);
        assertEquals(3, keys.size());
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, name, REALM, "file-password"), keys.get(0));
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, name, REALM, RestSecrets.password("new", name)),
                keys.get(1));
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, name, REALM, RestSecrets.password("old", name)),
                keys.get(2));
    }

    @Test
    void restDerivationsAreCachedButExpiryIsCheckedEveryTime() {
        CredentialStore store = store(UsersFile.empty(), RestSecrets.of(List.of("s3cret"), clock));
        String user = "1700000000:bob";

        assertEquals(1, store.candidateKeys(user, REALM, PasswordAlgorithm.MD5).size());
        assertEquals(1, store.candidateKeys(user, REALM, PasswordAlgorithm.MD5).size());
        assertEquals(1, store.cachedEntryCount());

        clock.set(Instant.ofEpochSecond(1_700_000_000L));
        assertEquals(0, store.candidateKeys(user, REALM, PasswordAlgorithm.MD5).size(), "expired although cached");
    }

    @Test
    void cacheEntriesExpireAfterTtl() {
        CredentialStore store = store(UsersFile.empty(), RestSecrets.of(List.of("s3cret"), clock));
        store.candidateKeys("1700000000:bob", REALM, PasswordAlgorithm.MD5);
        assertEquals(1, store.cachedEntryCount());
        ticker.addAndGet(TimeUnit.MINUTES.toNanos(5) + 1);
        assertEquals(0, store.cachedEntryCount());
    }

    @Test
    void cacheIsBounded() {
        CredentialStore store = new CredentialStore(UsersFile.empty(), RestSecrets.of(List.of("s3cret"), clock),
                10, Duration.ofMinutes(5), ticker::get);
        for (int i = 0; i < 100; i++) {
            store.candidateKeys("1700000000:user" + i, REALM, PasswordAlgorithm.MD5);
        }
        assertTrue(store.cachedEntryCount() <= 10, "size " + store.cachedEntryCount());
    }

    @Test
    void replacingSecretsInvalidatesCachedKeys() {
        CredentialStore store = store(UsersFile.empty(), RestSecrets.of(List.of("old"), clock));
        String user = "1700000000:bob";
        byte[] oldKey = store.candidateKeys(user, REALM, PasswordAlgorithm.MD5).get(0);

        store.replaceRestSecrets(RestSecrets.of(List.of("new"), clock));
        assertEquals(0, store.cachedEntryCount());
        List<byte[]> keys = store.candidateKeys(user, REALM, PasswordAlgorithm.MD5);
        assertEquals(1, keys.size());
        assertTrue(!java.util.Arrays.equals(oldKey, keys.get(0)), "old secret no longer accepted");
    }

    @Test
    void replacingUsersTakesEffectAndKeepsRestSecrets() throws Exception {
        CredentialStore store = store(UsersFile.empty().add("alice", REALM, "one"), RestSecrets.of(List.of("s"), clock));
        store.replaceUsers(UsersFile.empty().add("alice", REALM, "two"));

        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, "alice", REALM, "two"),
                store.candidateKeys("alice", REALM, PasswordAlgorithm.MD5).get(0));
        assertEquals(1, store.candidateKeys("1700000000:bob", REALM, PasswordAlgorithm.MD5).size());
    }

    @Test
    void returnedKeysAreCopies() {
        CredentialStore store = store(UsersFile.empty(), RestSecrets.of(List.of("s3cret"), clock));
        byte[] first = store.candidateKeys("1700000000:bob", REALM, PasswordAlgorithm.MD5).get(0);
        byte[] copy = first.clone();
        first[0] ^= 0x55;
        assertArrayEquals(copy, store.candidateKeys("1700000000:bob", REALM, PasswordAlgorithm.MD5).get(0));
    }

    @Test
    void resolvesUserHash() throws Exception {
        CredentialStore store = store(UsersFile.empty().add("alice", REALM, "pw"), RestSecrets.none(clock));
        assertEquals(Optional.of("alice"), store.resolveUserHash(LongTermKey.userHash("alice", REALM), REALM));
        assertEquals(Optional.empty(), store.resolveUserHash(LongTermKey.userHash("bob", REALM), REALM));
    }
}
