package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * REALM (RFC 8489 §14.9): fewer than 128 characters, at most 763 bytes of UTF-8.
 *
 * @param value the text; checked against the limits above
 */
public record Realm(String value) implements StunAttribute {
    public Realm {
        TextLimits.require("REALM", value, TextLimits.MAX_CHARS, TextLimits.MAX_BYTES);
    }

    @Override
    public AttributeType type() {
        return AttributeType.REALM;
    }
}
