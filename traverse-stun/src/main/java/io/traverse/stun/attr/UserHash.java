package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import java.util.Arrays;

/**
 * USERHASH (RFC 8489 §14.4): SHA-256 of OpaqueString(username) ":" OpaqueString(realm), sent
 * instead of USERNAME when the server offers username anonymity. Computing it is the auth package's job.
 */
public record UserHash(byte[] hash) implements StunAttribute {
    /** Length of the SHA-256 hash. */
    public static final int LENGTH = 32;

    /**
     * @param hash exactly 32 bytes (copied)
     */
    public UserHash {
        if (hash == null || hash.length != LENGTH) {
            throw new IllegalArgumentException("USERHASH must be 32 bytes");
        }
        hash = hash.clone();
    }

    /** A copy of the bytes. */
    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** Number of bytes, without copying. */
    public int length() {
        return hash.length;
    }

    @Override
    public AttributeType type() {
        return AttributeType.USERHASH;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserHash other && Arrays.equals(other.hash, hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "UserHash[" + Bytes.hex(hash) + "]";
    }
}
