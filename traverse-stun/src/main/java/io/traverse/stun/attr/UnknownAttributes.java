package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import java.util.List;

/**
 * UNKNOWN-ATTRIBUTES (RFC 8489 §14.9): the 16-bit types of the comprehension-required attributes that
 * caused a 420 response.
 *
 * @param types attribute type codes, each 0..0xFFFF (copied, unmodifiable)
 */
public record UnknownAttributes(List<Integer> types) implements StunAttribute {
    public UnknownAttributes {
        types = List.copyOf(types);
        for (int t : types) {
            Bytes.requireU16("attribute type", t);
        }
    }

    @Override
    public AttributeType type() {
        return AttributeType.UNKNOWN_ATTRIBUTES;
    }
}
