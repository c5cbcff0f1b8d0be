package io.traverse.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.auth.CredentialException;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RestSecretsTest {
    private final MutableClock clock = MutableClock.atEpochSecond(1_699_999_000L);

    @TempDir
    Path dir;

    /** Reference: the password computed with javax.crypto directly. */
    private static String referencePassword(String secret, String username) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void passwordIsBase64OfHmacSha1OfUsername() throws Exception {
        String expected = referencePassword("s3cret", "1700000000:alice");
        assertEquals(expected, RestSecrets.password("s3cret", "1700000000:alice"));
        assertEquals(28, expected.length(), "20 bytes in padded base64");
    }

    @Test
    void keysAreLongTermKeysOfTheRestPassword() throws Exception {
        RestSecrets rest = RestSecrets.of(List.of("s3cret"), clock);
        String password = referencePassword("s3cret", "1700000000:alice");

        for (PasswordAlgorithm alg : PasswordAlgorithm.values()) {
            List<byte[]> keys = rest.keys("1700000000:alice", "example.org", alg);
            assertEquals(1, keys.size());
            assertArrayEquals(LongTermKey.derive(alg, "1700000000:alice", "example.org", password), keys.get(0));
        }
    }

    @Test
    void signUsesNewestSecretAndTtl() throws Exception {
        RestSecrets rest = RestSecrets.of(List.of("new", "old"), clock);
        RestCredential c = rest.sign("alice", Duration.ofSeconds(1000));

        assertEquals("1700000000:alice", c.username());
        assertEquals(1_700_000_000L, c.expiresAtEpochSecond());
        assertEquals(referencePassword("new", "1700000000:alice"), c.password());
        assertFalse(c.toString().contains(c.password()));
        assertEquals("1700000000", rest.sign(null, Duration.ofSeconds(1000)).username());
        assertEquals("1700000000", rest.sign("", Duration.ofSeconds(1000)).username());
    }

    @Test
    void signedCredentialVerifies() throws Exception {
        RestSecrets rest = RestSecrets.of(List.of("s3cret"), clock);
        RestCredential c = rest.sign("bob:with:colons", Duration.ofHours(1));
        byte[] clientKey = LongTermKey.derive(PasswordAlgorithm.SHA256, c.username(), "example.org", c.password());
        assertArrayEquals(clientKey, rest.keys(c.username(), "example.org", PasswordAlgorithm.SHA256).get(0));
    }

    @Test
    void expiredUsernameYieldsNoKey() {
        RestSecrets rest = RestSecrets.of(List.of("s3cret"), clock);
        assertEquals(1, rest.keys("1700000000:alice", "example.org", PasswordAlgorithm.MD5).size());

        clock.set(java.time.Instant.ofEpochSecond(1_699_999_999L));
        assertEquals(1, rest.keys("1700000000:alice", "example.org", PasswordAlgorithm.MD5).size(), "one second left");
        clock.set(java.time.Instant.ofEpochSecond(1_700_000_000L));
        assertEquals(0, rest.keys("1700000000:alice", "example.org", PasswordAlgorithm.MD5).size(), "expiry <= now");
        assertFalse(rest.isLive("1700000000:alice"));
    }

    @Test
    void rotationAcceptsOldAndNewRemovedSecretIsRefused() throws Exception {
        String username = "1700000000:alice";
        String oldPassword = referencePassword("old", username);
        byte[] oldClientKey = LongTermKey.derive(PasswordAlgorithm.MD5, username, "example.org", oldPassword);
        byte[] newClientKey = LongTermKey.derive(PasswordAlgorithm.MD5, username, "example.org",
                referencePassword("new", username));

        RestSecrets both = RestSecrets.of(List.of("new", "old"), clock);
        List<byte[]> candidates = both.keys(username, "example.org", PasswordAlgorithm.MD5);
        assertEquals(2, candidates.size());
        assertArrayEquals(newClientKey, candidates.get(0), "newest first");
        assertArrayEquals(oldClientKey, candidates.get(1));

        RestSecrets newOnly = RestSecrets.of(List.of("new"), clock);
        List<byte[]> after = newOnly.keys(username, "example.org", PasswordAlgorithm.MD5);
        assertEquals(1, after.size());
        assertFalse(java.util.Arrays.equals(oldClientKey, after.get(0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "alice:1700000000", "", ":alice", "17000000x0:alice", "-1700000000",
        "1234567890123456789:a", "+1700000000"})
    void nonRestUsernamesYieldNoKey(String username) {
        RestSecrets rest = RestSecrets.of(List.of("s3cret"), clock);
        assertEquals(0, rest.keys(username, "example.org", PasswordAlgorithm.MD5).size());
    }

    @Test
    void expiryParsing() {
        assertEquals(OptionalLong.of(1_700_000_000L), RestSecrets.expiry("1700000000:alice"));
        assertEquals(OptionalLong.of(1_700_000_000L), RestSecrets.expiry("1700000000"));
        assertEquals(OptionalLong.of(5L), RestSecrets.expiry("5:a:b"));
        assertEquals(OptionalLong.empty(), RestSecrets.expiry("alice"));
        assertEquals(OptionalLong.empty(), RestSecrets.expiry(null));
    }

    @Test
    void noSecretsRefusesEverythingAndCannotSign() {
        RestSecrets none = RestSecrets.none(clock);
        assertEquals(0, none.keys("1700000000:alice", "example.org", PasswordAlgorithm.MD5).size());
        assertThrows(CredentialException.class, () -> none.sign("alice", Duration.ofHours(1)));
    }

    @Test
    void parsesSecretsFileNewestFirstWithCommentsAndBlankLines() throws Exception {
        Path f = dir.resolve("secrets");
        Files.writeString(f, "# rotated 2024-01-01\n\n  new  \r\n# old one, remove after 24h\nold\n");
        RestSecrets rest = RestSecrets.parse(f, clock);

        assertEquals(2, rest.size());
        assertEquals(referencePassword("new", "1700000000:a"), rest.sign("a", Duration.ofSeconds(1000)).password());
        assertFalse(rest.toString().contains("new"));
    }

    @Test
    void secretsFileErrorsNameLineButNotSecret() throws Exception {
        Path f = dir.resolve("secrets");
        Files.writeString(f, "good\nbad\u0001secret\n");
        CredentialFileException e = assertThrows(CredentialFileException.class, () -> RestSecrets.parse(f, clock));
        assertEquals(2, e.line());
        assertFalse(e.getMessage().contains("bad"));
        assertFalse(e.getMessage().contains("good"));
    }

    @Test
    void emptySecretsFileIsValid() throws Exception {
        Path f = dir.resolve("secrets");
        Files.writeString(f, "# none\n");
        assertEquals(0, RestSecrets.parse(f, clock).size());
    }
}
