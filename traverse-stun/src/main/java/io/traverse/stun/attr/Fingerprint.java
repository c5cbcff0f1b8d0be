package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * FINGERPRINT (RFC 8489 §14.7): CRC-32 of the message up to this attribute XOR 0x5354554e. A decoded
 * message lists it; the encoder computes it itself (when asked) and ignores any instance placed in a
 * message. Check with {@code DecodedMessage.fingerprintValid()}.
 *
 * @param value the 32-bit value as found on the wire
 */
public record Fingerprint(int value) implements StunAttribute {
    @Override
    public AttributeType type() {
        return AttributeType.FINGERPRINT;
    }

    @Override
    public String toString() {
        return String.format("Fingerprint[0x%08x]", value);
    }
}
