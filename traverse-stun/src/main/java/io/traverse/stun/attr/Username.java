package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * USERNAME (RFC 8489 §14.3): the user name, UTF-8 of at most {@link TextLimits#USERNAME_MAX_BYTES}
 * bytes (RFC 8489: fewer than 509; RFC 5389's 512 is refused). Padding content is
 * ignored on decode (RFC 5769 §2.1 pads with spaces).
 *
 * @param value the text; checked against the limits above
 */
public record Username(String value) implements StunAttribute {
    public Username {
        TextLimits.require("USERNAME", value, -1, TextLimits.USERNAME_MAX_BYTES);
    }

    @Override
    public AttributeType type() {
        return AttributeType.USERNAME;
    }
}
