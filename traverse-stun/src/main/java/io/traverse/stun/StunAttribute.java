package io.traverse.stun;

/**
 * One STUN attribute (RFC 8489 §14). Implementations are immutable records in
 * {@code io.traverse.stun.attr}; anything the codec does not know is kept as
 * {@code io.traverse.stun.attr.UnknownAttribute} so it survives a round trip.
 */
public interface StunAttribute {
    /** The attribute's type. */
    AttributeType type();
}
