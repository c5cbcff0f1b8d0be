package io.traverse.client;

import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.OpaqueString;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.PrecisException;
import java.util.Objects;
import java.util.Optional;

/**
 * Long-term credentials for {@link TurnClient#allocate} (RFC 8489 §9.2): a username with either a
 * password, from which the key is derived once the server's REALM is known (§9.2.2), or a ready long-term
 * key for one {@link PasswordAlgorithm}.
 *
 * <p>The username is prepared with OpaqueString (RFC 8489 §14.3) when the credentials are made, so what
 * goes into USERNAME, USERHASH and the key derivation is the prepared form. {@link #toString()} never shows
 * the password or key.
 */
public final class TurnCredentials {
    private final String username;
    private final String password;
    private final PasswordAlgorithm keyAlgorithm;
    private final byte[] key;

    private TurnCredentials(String username, String password, PasswordAlgorithm keyAlgorithm, byte[] key) {
        this.username = username;
        this.password = password;
        this.keyAlgorithm = keyAlgorithm;
        this.key = key;
    }

    /**
     * A username and password.
     *
     * @throws IllegalArgumentException if OpaqueString rejects the username or password (the message names
     *     the rule, never the text)
     */
    public static TurnCredentials password(String username, String password) {
        Objects.requireNonNull(password, "password");
        String prepared = prepareUsername(username);
        try {
            OpaqueString.prepare(password);
        } catch (PrecisException e) {
            throw new IllegalArgumentException("password rejected: " + e.getMessage());
        }
        return new TurnCredentials(prepared, password, null, null);
    }

    /**
     * A username and a long-term key derived for {@code algorithm} (16 bytes for MD5, 32 for SHA-256). The
     * client then only accepts a server that offers this algorithm.
     *
     * @throws IllegalArgumentException if the key length does not fit the algorithm or OpaqueString rejects
     *     the username
     */
    public static TurnCredentials key(String username, PasswordAlgorithm algorithm, byte[] key) {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(key, "key");
        if (key.length != algorithm.keyLength()) {
            throw new IllegalArgumentException(algorithm + " key must have " + algorithm.keyLength() + " bytes, got "
                    + key.length);
        }
        return new TurnCredentials(prepareUsername(username), null, algorithm, key.clone());
    }

    private static String prepareUsername(String username) {
        Objects.requireNonNull(username, "username");
        try {
            return OpaqueString.prepare(username);
        } catch (PrecisException e) {
            throw new IllegalArgumentException("username rejected: " + e.getMessage());
        }
    }

    /** The OpaqueString-prepared username. */
    public String username() {
        return username;
    }

    /** The algorithm the key was derived for, or empty for password credentials (any algorithm works). */
    public Optional<PasswordAlgorithm> keyAlgorithm() {
        return Optional.ofNullable(keyAlgorithm);
    }

    /** True when a key can be had for {@code algorithm}. */
    boolean supports(PasswordAlgorithm algorithm) {
        return keyAlgorithm == null || keyAlgorithm == algorithm;
    }

    /**
     * The long-term key for {@code algorithm} in {@code realm} (RFC 8489 §9.2.2).
     *
     * @throws PrecisException if OpaqueString rejects the realm
     */
    byte[] key(PasswordAlgorithm algorithm, String realm) throws PrecisException {
        if (key != null) {
            if (algorithm != keyAlgorithm) {
                throw new IllegalStateException("key was derived for " + keyAlgorithm + ", not " + algorithm);
            }
            return key.clone();
        }
        return LongTermKey.derive(algorithm, username, realm, password);
    }

    @Override
    public String toString() {
        return "TurnCredentials[username=" + username + ", " + (key != null ? keyAlgorithm + " key" : "password")
                + "=<redacted>]";
    }
}
