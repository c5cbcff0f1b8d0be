package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import java.util.Arrays;

/**
 * DATA (RFC 8656 §18.4): the application payload of a Send or Data indication. Hot relaying paths use
 * ChannelData instead; this record copies the payload in and out.
 */
public record Data(byte[] data) implements StunAttribute {
    /**
     * @param data the payload (copied), at most {@link #MAX_LENGTH} bytes
     */
    public Data {
        if (data == null) {
            throw new NullPointerException("data");
        }
        if (data.length > MAX_LENGTH) {
            throw new IllegalArgumentException("DATA longer than " + MAX_LENGTH + " bytes: " + data.length);
        }
        data = data.clone();
    }

    /**
     * Largest payload that fits one STUN message: the message length field allows at most 65532 bytes
     * of attributes (a multiple of 4), less this attribute's 4-byte header.
     */
    public static final int MAX_LENGTH = 65_528;

    /** A read-only view of the payload, without copying it. */
    public java.nio.ByteBuffer asReadOnlyBuffer() {
        return java.nio.ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /** A copy of the bytes. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Number of bytes, without copying. */
    public int length() {
        return data.length;
    }

    @Override
    public AttributeType type() {
        return AttributeType.DATA;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Data other && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Data[" + Bytes.hex(data) + "]";
    }
}
