package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunAttribute;

/**
 * ERROR-CODE (RFC 8489 §14.8): 21 reserved bits, the class (hundreds digit, 3..6) in 3 bits, the number
 * (0..99) in 8 bits, then a UTF-8 reason phrase of fewer than 128 characters.
 *
 * @param code 300..699
 * @param reason the reason phrase
 */
public record ErrorCodeAttribute(int code, String reason) implements StunAttribute {
    public ErrorCodeAttribute {
        if (code < ErrorCode.MIN_CODE || code > ErrorCode.MAX_CODE) {
            throw new IllegalArgumentException("error code must be 300..699: " + code);
        }
        TextLimits.require("reason phrase", reason, TextLimits.MAX_CHARS, TextLimits.MAX_BYTES);
    }

    /** This error code with its default reason phrase. */
    public ErrorCodeAttribute(ErrorCode code) {
        this(code.code(), code.reason());
    }

    /** The code as an {@link ErrorCode} (constant when registered). */
    public ErrorCode errorCode() {
        return ErrorCode.valueOf(code);
    }

    @Override
    public AttributeType type() {
        return AttributeType.ERROR_CODE;
    }
}
