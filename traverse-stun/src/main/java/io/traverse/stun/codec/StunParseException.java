package io.traverse.stun.codec;

import java.util.Objects;

/**
 * Bytes that are not a well-formed STUN message (RFC 8489 §6.3: such a message is discarded, or for a
 * malformed known attribute in a request answered with 400). {@link #reason()} says which check failed;
 * the message names the attribute and numbers involved. No stack trace is recorded: malformed packets are
 * normal traffic, not bugs.
 */
public final class StunParseException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which check failed. */
    public enum Reason {
        /** Fewer than 20 bytes. */
        TRUNCATED_HEADER,
        /** One of the two most significant bits of the message is set (RFC 8489 §6). */
        BAD_TOP_BITS,
        /** The magic cookie is not 0x2112A442 (RFC 8489 §6). */
        BAD_MAGIC_COOKIE,
        /** The header's length field is not a multiple of 4 (RFC 8489 §6). */
        LENGTH_NOT_MULTIPLE_OF_4,
        /** The header's length field does not match the bytes given (datagram semantics). */
        LENGTH_MISMATCH,
        /** An attribute header or value runs past the end of the message. */
        ATTRIBUTE_OVERRUN,
        /** A known attribute has a length its definition does not allow (e.g. MESSAGE-INTEGRITY not 20). */
        BAD_ATTRIBUTE_LENGTH,
        /** A known attribute's value breaks its definition (bad UTF-8, class 7 error code, ...). */
        BAD_ATTRIBUTE_VALUE,
        /** A text attribute exceeds its byte or character limit (RFC 8489 §14.3, §14.8–§14.14). */
        VALUE_TOO_LONG,
        /** An address attribute has a family other than 0x01/0x02 (RFC 8489 §14.1). */
        BAD_ADDRESS_FAMILY,
        /**
         * An unexpected runtime failure inside the decoder, turned into this exception so that it cannot
         * escape. It indicates a decoder bug; the fuzz tests assert it never happens.
         */
        INTERNAL_ERROR
    }

    private final Reason reason;

    /** A parse failure for this reason with this detail message. */
    public StunParseException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** A parse failure with a cause (used for {@link Reason#INTERNAL_ERROR}). */
    public StunParseException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Which check failed. */
    public Reason reason() {
        return reason;
    }
}
