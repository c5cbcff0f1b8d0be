package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * EVEN-PORT (RFC 8656 §18.7): one byte whose top bit R asks the server to also reserve the next-higher
 * port; the other 7 bits are RFFU.
 *
 * @param reserveNext the R bit
 */
public record EvenPort(boolean reserveNext) implements StunAttribute {
    @Override
    public AttributeType type() {
        return AttributeType.EVEN_PORT;
    }
}
