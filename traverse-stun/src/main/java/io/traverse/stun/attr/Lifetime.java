package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * LIFETIME (RFC 8656 §18.2): the allocation's remaining lifetime in seconds, an unsigned 32-bit value.
 *
 * @param seconds 0..2^32-1
 */
public record Lifetime(long seconds) implements StunAttribute {
    public Lifetime {
        if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("lifetime must be 0..2^32-1: " + seconds);
        }
    }

    @Override
    public AttributeType type() {
        return AttributeType.LIFETIME;
    }
}
