package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * SOFTWARE (RFC 8489 §14.14): a description of the sending software, fewer than 128 characters,
 * at most 763 bytes of UTF-8.
 *
 * @param value the text; checked against the limits above
 */
public record Software(String value) implements StunAttribute {
    public Software {
        TextLimits.require("SOFTWARE", value, TextLimits.MAX_CHARS, TextLimits.MAX_BYTES);
    }

    @Override
    public AttributeType type() {
        return AttributeType.SOFTWARE;
    }
}
