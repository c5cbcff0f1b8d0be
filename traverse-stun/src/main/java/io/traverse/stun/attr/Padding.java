package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * PADDING (RFC 5780 §7.6): padding of a given length, used to test fragmentation; content is ignored on
 * decode and written as zeros.
 *
 * @param length number of value bytes, 0..{@link Data#MAX_LENGTH}
 */
public record Padding(int length) implements StunAttribute {
    public Padding {
        if (length < 0 || length > Data.MAX_LENGTH) {
            throw new IllegalArgumentException("padding length must be 0.." + Data.MAX_LENGTH + ": " + length);
        }
    }

    @Override
    public AttributeType type() {
        return AttributeType.PADDING;
    }
}
