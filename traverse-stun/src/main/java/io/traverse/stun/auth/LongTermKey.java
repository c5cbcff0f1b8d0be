package io.traverse.stun.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Long-term credential key derivation (RFC 8489 §9.2.2) and USERHASH (§14.4).
 *
 * <pre>
 * key      = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password))      16 bytes
 * key      = SHA-256(username ":" OpaqueString(realm) ":" OpaqueString(password))  32 bytes
 * userhash = SHA-256(OpaqueString(username) ":" OpaqueString(realm))               32 bytes
 * </pre>
 *
 * The username of the key derivation is used exactly as given: §9.2.2 takes it "as taken from the
 * USERNAME attribute (in which case it will have already been processed using the OpaqueString
 * profile)". Callers that start from operator input (users file, CLI) prepare it first with {@link
 * OpaqueString#prepare}. Strings are hashed as UTF-8. Quotes and trailing NULs of the attributes are
 * the codec's business and must already be removed.
 */
public final class LongTermKey {
    private LongTermKey() {}

    /**
     * Derives the long-term key.
     *
     * @param username the username as sent in USERNAME (already OpaqueString-processed)
     * @param realm the realm; OpaqueString is applied
     * @param password the password; OpaqueString is applied
     * @return a new array of {@link PasswordAlgorithm#keyLength()} bytes
     * @throws PrecisException if the realm or password is rejected by OpaqueString
     */
    public static byte[] derive(PasswordAlgorithm algorithm, String username, String realm, String password)
            throws PrecisException {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(username, "username");
        String preparedRealm = OpaqueString.prepare(realm);
        String preparedPassword = OpaqueString.prepare(password);
        MessageDigest digest = algorithm.newDigest();
        digest.update(username.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        digest.update(preparedRealm.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        digest.update(preparedPassword.getBytes(StandardCharsets.UTF_8));
        return digest.digest();
    }

    /**
     * Computes the USERHASH value (RFC 8489 §14.4).
     *
     * @return a new 32-byte array
     * @throws PrecisException if the username or realm is rejected by OpaqueString
     */
    public static byte[] userHash(String username, String realm) throws PrecisException {
        String preparedUsername = OpaqueString.prepare(username);
        String preparedRealm = OpaqueString.prepare(realm);
        MessageDigest digest = PasswordAlgorithm.SHA256.newDigest();
        digest.update(preparedUsername.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) ':');
        digest.update(preparedRealm.getBytes(StandardCharsets.UTF_8));
        return digest.digest();
    }
}
