package io.traverse.auth;

import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.OpaqueString;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.PrecisException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One user of the {@link UsersFile}: an OpaqueString-prepared username and realm with the derived
 * long-term keys (RFC 8489 §9.2.2) for one or both {@link PasswordAlgorithm}s. Never a password.
 * Immutable; key arrays are copied in and out. {@link #toString()} omits the keys.
 */
public final class UserEntry {
    private final String username;
    private final String realm;
    private final byte[] md5Key;
    private final byte[] sha256Key;

    /**
     * @param md5Key 16 bytes, or null when the entry has no MD5 key
     * @param sha256Key 32 bytes, or null when the entry has no SHA-256 key
     */
    public UserEntry(String username, String realm, byte[] md5Key, byte[] sha256Key) {
        this.username = Objects.requireNonNull(username, "username");
        this.realm = Objects.requireNonNull(realm, "realm");
        if (md5Key == null && sha256Key == null) {
            throw new IllegalArgumentException("a user entry needs at least one key");
        }
        checkLength(md5Key, PasswordAlgorithm.MD5);
        checkLength(sha256Key, PasswordAlgorithm.SHA256);
        this.md5Key = md5Key == null ? null : md5Key.clone();
        this.sha256Key = sha256Key == null ? null : sha256Key.clone();
    }

    /**
     * Prepares username and realm with OpaqueString and derives both keys from the password.
     *
     * @throws PrecisException if OpaqueString rejects the username, realm or password
     */
    public static UserEntry fromPassword(String username, String realm, String password) throws PrecisException {
        String u = OpaqueString.prepare(username);
        String r = OpaqueString.prepare(realm);
        return new UserEntry(u, r,
                LongTermKey.derive(PasswordAlgorithm.MD5, u, r, password),
                LongTermKey.derive(PasswordAlgorithm.SHA256, u, r, password));
    }

    /**
     * A user as coturn stores it ({@code turnusers_lt.hmackey}, Redis {@code turn/realm/<realm>/user/<name>/key}):
     * the hex of one key, whose length tells the algorithm — 32 digits MD5, 64 digits SHA-256 (coturn's {@code
     * --sha256}). Surrounding blanks are ignored ({@code char(128)} pads with spaces).
     *
     * @return empty when {@code hex} is not 32 or 64 hex digits (e.g. coturn's SHA-384/512 keys, which RFC 8489
     *     does not define)
     */
    public static Optional<UserEntry> fromCoturnKey(String username, String realm, String hex) {
        if (hex == null) {
            return Optional.empty();
        }
        String h = hex.strip();
        if ((h.length() != 32 && h.length() != 64) || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return Optional.empty();
        }
        byte[] key = java.util.HexFormat.of().parseHex(h);
        return Optional.of(h.length() == 32 ? new UserEntry(username, realm, key, null)
                : new UserEntry(username, realm, null, key));
    }

    /** The key coturn's schema stores for this user: the MD5 key in hex when there is one, else the SHA-256 key. */
    public String coturnKey() {
        return java.util.HexFormat.of().formatHex(md5Key != null ? md5Key : sha256Key);
    }

    public String username() {
        return username;
    }

    public String realm() {
        return realm;
    }

    /** A copy of the key for {@code algorithm}, or empty when this entry has none. */
    public Optional<byte[]> key(PasswordAlgorithm algorithm) {
        byte[] k = raw(algorithm);
        return k == null ? Optional.empty() : Optional.of(k.clone());
    }

    /** True when this entry has a key for {@code algorithm}. */
    public boolean hasKey(PasswordAlgorithm algorithm) {
        return raw(algorithm) != null;
    }

    byte[] raw(PasswordAlgorithm algorithm) {
        return algorithm == PasswordAlgorithm.MD5 ? md5Key : sha256Key;
    }

    private static void checkLength(byte[] key, PasswordAlgorithm algorithm) {
        if (key != null && key.length != algorithm.keyLength()) {
            throw new IllegalArgumentException(algorithm + " key must have " + algorithm.keyLength() + " bytes");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserEntry other
                && username.equals(other.username)
                && realm.equals(other.realm)
                && Arrays.equals(md5Key, other.md5Key)
                && Arrays.equals(sha256Key, other.sha256Key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(username, realm, Arrays.hashCode(md5Key), Arrays.hashCode(sha256Key));
    }

    @Override
    public String toString() {
        return "UserEntry[username=" + username + ", realm=" + realm
                + ", md5=" + (md5Key != null) + ", sha256=" + (sha256Key != null) + "]";
    }
}
