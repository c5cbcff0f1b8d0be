package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import java.util.Arrays;

/**
 * MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 of the message up to this attribute. A decoded message
 * lists it so callers can see it was present; the encoder computes this attribute itself and ignores any
 * instance placed in a message. Verify with {@code DecodedMessage.verifyMessageIntegrity}.
 */
public record MessageIntegrity(byte[] hmac) implements StunAttribute {
    /** Length of an HMAC-SHA1. */
    public static final int LENGTH = 20;

    /**
     * @param hmac exactly 20 bytes (copied)
     */
    public MessageIntegrity {
        if (hmac == null || hmac.length != LENGTH) {
            throw new IllegalArgumentException("MESSAGE-INTEGRITY must be 20 bytes");
        }
        hmac = hmac.clone();
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
        return AttributeType.MESSAGE_INTEGRITY;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageIntegrity other && Arrays.equals(other.hmac, hmac);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(hmac);
    }

    @Override
    public String toString() {
        return "MessageIntegrity[" + Bytes.hex(hmac) + "]";
    }
}
