package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Any attribute the codec has no record for (RFC 8489 §14: unknown comprehension-optional attributes are
 * ignored, unknown comprehension-required ones answered with 420), including the RFC 3489 legacy
 * attributes and ICE's. The raw value is kept so a message survives a decode/encode round trip.
 *
 * <p>The record component is the {@link AttributeType} (so {@link #type()} satisfies
 * {@link StunAttribute}); {@link #UnknownAttribute(int, byte[])} takes the raw code.
 *
 * @param type the attribute type
 * @param value the raw value without padding (copied)
 */
public record UnknownAttribute(AttributeType type, byte[] value) implements StunAttribute {
    public UnknownAttribute {
        Objects.requireNonNull(type, "type");
        if (value == null) {
            throw new NullPointerException("value");
        }
        if (value.length > Data.MAX_LENGTH) {
            throw new IllegalArgumentException("attribute value longer than " + Data.MAX_LENGTH + " bytes");
        }
        value = value.clone();
    }

    /** An unknown attribute with this 16-bit type code. */
    public UnknownAttribute(int type, byte[] value) {
        this(AttributeType.valueOf(type), value);
    }

    /** The 16-bit type code. */
    public int typeCode() {
        return type.code();
    }

    /** A copy of the raw value. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** Number of value bytes. */
    public int length() {
        return value.length;
    }

    /** A read-only view of the value, without copying. */
    public ByteBuffer asReadOnlyBuffer() {
        return ByteBuffer.wrap(value).asReadOnlyBuffer();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnknownAttribute other && other.type.equals(type) && Arrays.equals(other.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "UnknownAttribute[" + type + " " + Bytes.hex(value) + "]";
    }
}
