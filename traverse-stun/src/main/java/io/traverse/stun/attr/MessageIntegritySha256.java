package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import java.util.Arrays;

/**
 * MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6): HMAC-SHA256 of the message up to this attribute, possibly
 * truncated to 16..32 bytes in steps of 4. A decoded message lists it; the encoder computes it itself and
 * ignores any instance placed in a message.
 */
public record MessageIntegritySha256(byte[] hmac) implements StunAttribute {
    /** Shortest allowed (truncated) length. */
    public static final int MIN_LENGTH = 16;
    /** Full HMAC-SHA256 length. */
    public static final int MAX_LENGTH = 32;

    /**
     * @param hmac 16..32 bytes, a multiple of 4 (copied)
     */
    public MessageIntegritySha256 {
        if (hmac == null || !isValidLength(hmac.length)) {
            throw new IllegalArgumentException("MESSAGE-INTEGRITY-SHA256 must be 16..32 bytes, a multiple of 4");
        }
        hmac = hmac.clone();
    }

    /** True for 16, 20, 24, 28 and 32. */
    public static boolean isValidLength(int n) {
        return n >= MIN_LENGTH && n <= MAX_LENGTH && n % 4 == 0;
    }

    /** A copy of the bytes. */
    @Override
    public byte[] hmac() {
        return hmac.clone();
    }

    /** Number of bytes, without copying. */
    public int length() {
        return hmac.length;
    }

    @Override
    public AttributeType type() {
        return AttributeType.MESSAGE_INTEGRITY_SHA256;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageIntegritySha256 other && Arrays.equals(other.hmac, hmac);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hmac);
    }

    @Override
    public String toString() {
        return "MessageIntegritySha256[" + Bytes.hex(hmac) + "]";
    }
}
