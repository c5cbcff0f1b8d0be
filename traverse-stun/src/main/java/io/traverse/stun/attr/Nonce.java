package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * NONCE (RFC 8489 §14.10): fewer than 128 characters, at most 763 bytes of UTF-8. Opaque to the
 * codec; see the auth package for its meaning.
 *
 * @param value the text; checked against the limits above
 */
public record Nonce(String value) implements StunAttribute {
    public Nonce {
        TextLimits.require("NONCE", value, TextLimits.MAX_CHARS, TextLimits.MAX_BYTES);
    }

    @Override
    public AttributeType type() {
        return AttributeType.NONCE;
    }
}
