package io.traverse.stun.codec;

/** Fixed numbers of the STUN wire format (RFC 8489 §5, §14). */
public final class StunWire {
    /** The magic cookie, RFC 8489 §5. */
    public static final int MAGIC_COOKIE = 0x2112A442;
    /** Length of the message header, RFC 8489 §5. */
    public static final int HEADER_LENGTH = 20;
    /** Length of an attribute's type and length fields, RFC 8489 §14. */
    public static final int ATTRIBUTE_HEADER_LENGTH = 4;
    /** Largest value of the header's length field that is a multiple of 4. */
    public static final int MAX_BODY_LENGTH = 65_532;

    private StunWire() {
    }

    /** {@code n} rounded up to a multiple of 4 (RFC 8489 §14: values are padded to 32 bits). */
    public static int pad4(int n) {
        return (n + 3) & ~3;
    }
}
