package io.traverse.stun;

import java.util.Objects;

/**
 * A STUN message type: method plus class (RFC 8489 §5). On the wire the 12 method bits M11..M0 and the
 * two class bits C1 C0 are interleaved into 14 bits as {@code M11..M7 C1 M6..M4 C0 M3..M0}; the top two
 * bits of the 16-bit field are zero.
 */
public record MessageType(Method method, MessageClass messageClass) {

    /** Largest value {@link #fromWire(int)} accepts: the top two bits must be zero. */
    public static final int MAX_WIRE = 0x3FFF;

    public MessageType {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(messageClass, "messageClass");
    }

    /** A request of this method. */
    public static MessageType request(Method method) {
        return new MessageType(method, MessageClass.REQUEST);
    }

    /** An indication of this method. */
    public static MessageType indication(Method method) {
        return new MessageType(method, MessageClass.INDICATION);
    }

    /** A success response of this method. */
    public static MessageType successResponse(Method method) {
        return new MessageType(method, MessageClass.SUCCESS_RESPONSE);
    }

    /** An error response of this method. */
    public static MessageType errorResponse(Method method) {
        return new MessageType(method, MessageClass.ERROR_RESPONSE);
    }

    /** The 16-bit message type field (RFC 8489 §5, Figure 3). */
    public int toWire() {
        int m = method.code();
        int c = messageClass.bits();
        return (m & 0x000F)
                | ((m & 0x0070) << 1)
                | ((m & 0x0F80) << 2)
                | ((c & 0b01) << 4)
                | ((c & 0b10) << 7);
    }

    /**
     * Splits a 16-bit message type field into method and class.
     *
     * @throws IllegalArgumentException if the top two bits are not zero or the value is negative
     */
    public static MessageType fromWire(int type) {
        if (type < 0 || type > MAX_WIRE) {
            throw new IllegalArgumentException(String.format("message type 0x%04X has top bits set", type));
        }
        int m = (type & 0x000F) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0F80);
        return new MessageType(Method.valueOf(m), MessageClass.ofType(type));
    }

    @Override
    public String toString() {
        return method.name() + " " + messageClass;
    }
}
