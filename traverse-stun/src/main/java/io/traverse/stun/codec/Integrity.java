package io.traverse.stun.codec;

import io.traverse.stun.attr.MessageIntegrity;
import io.traverse.stun.attr.MessageIntegritySha256;
import java.util.Objects;

/**
 * Which integrity attribute the encoder appends: none, MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) or
 * MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6, optionally truncated). Holds a copy of the key;
 * {@link #toString()} never shows it. Deriving the key (short-term password, long-term MD5/SHA-256 hash)
 * is the auth package's job.
 */
public final class Integrity {
    /** The kind of integrity attribute. */
    public enum Kind {
        /** No integrity attribute. */
        NONE,
        /** MESSAGE-INTEGRITY, HMAC-SHA1, 20 bytes. */
        SHA1,
        /** MESSAGE-INTEGRITY-SHA256, HMAC-SHA256, 16..32 bytes. */
        SHA256
    }

    private static final Integrity NONE = new Integrity(Kind.NONE, new byte[0], 0);

    private final Kind kind;
    private final byte[] key;
    private final int macLength;

    private Integrity(Kind kind, byte[] key, int macLength) {
        this.kind = kind;
        this.key = key;
        this.macLength = macLength;
    }

    /** No integrity attribute. */
    public static Integrity none() {
        return NONE;
    }

    /** MESSAGE-INTEGRITY with this key (copied). */
    public static Integrity sha1(byte[] key) {
        return new Integrity(Kind.SHA1, Objects.requireNonNull(key, "key").clone(), MessageIntegrity.LENGTH);
    }

    /** Full-length (32-byte) MESSAGE-INTEGRITY-SHA256 with this key (copied). */
    public static Integrity sha256(byte[] key) {
        return sha256(key, MessageIntegritySha256.MAX_LENGTH);
    }

    /**
     * MESSAGE-INTEGRITY-SHA256 truncated to {@code length} bytes (RFC 8489 §14.6).
     *
     * @throws IllegalArgumentException unless {@code length} is 16..32 and a multiple of 4
     */
    public static Integrity sha256(byte[] key, int length) {
        if (!MessageIntegritySha256.isValidLength(length)) {
            throw new IllegalArgumentException("MESSAGE-INTEGRITY-SHA256 length must be 16..32, multiple of 4");
        }
        return new Integrity(Kind.SHA256, Objects.requireNonNull(key, "key").clone(), length);
    }

    /** The kind. */
    public Kind kind() {
        return kind;
    }

    /** Length of the MAC written: 0, 20 or 16..32. */
    public int macLength() {
        return macLength;
    }

    /** The key, for the encoder only. */
    byte[] key() {
        return key;
    }

    /** Kind and MAC length; never the key. */
    @Override
    public String toString() {
        return kind == Kind.NONE ? "Integrity[NONE]" : "Integrity[" + kind + ", " + macLength + " bytes, key=<redacted>]";
    }
}
