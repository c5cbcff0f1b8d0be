package io.traverse.stun;

/**
 * The class of a STUN message (RFC 8489 §5): the two bits C1 C0 interleaved into the message type.
 * This is a closed set: two bits give exactly these four values.
 */
public enum MessageClass {
    /** C1C0 = 0b00. */
    REQUEST(0b00),
    /** C1C0 = 0b01. */
    INDICATION(0b01),
    /** C1C0 = 0b10. */
    SUCCESS_RESPONSE(0b10),
    /** C1C0 = 0b11. */
    ERROR_RESPONSE(0b11);

    private static final MessageClass[] BY_BITS = {REQUEST, INDICATION, SUCCESS_RESPONSE, ERROR_RESPONSE};

    private final int bits;

    MessageClass(int bits) {
        this.bits = bits;
    }

    /** The two class bits as the number C1C0 (0..3). */
    public int bits() {
        return bits;
    }

    /** True for success and error responses. */
    public boolean isResponse() {
        return this == SUCCESS_RESPONSE || this == ERROR_RESPONSE;
    }

    /**
     * The class for the number C1C0.
     *
     * @throws IllegalArgumentException if {@code bits} is not 0..3
     */
    public static MessageClass fromBits(int bits) {
        if (bits < 0 || bits > 3) {
            throw new IllegalArgumentException("class bits must be 0..3: " + bits);
        }
        return BY_BITS[bits];
    }

    /** The class of a 16-bit message type field (RFC 8489 §5: C0 is bit 4, C1 bit 8); the other bits are ignored. */
    public static MessageClass ofType(int type) {
        return BY_BITS[((type >> 4) & 0b01) | ((type >> 7) & 0b10)];
    }
}
