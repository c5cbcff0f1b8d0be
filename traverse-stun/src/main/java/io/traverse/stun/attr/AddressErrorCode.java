package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunAttribute;

/**
 * ADDRESS-ERROR-CODE (RFC 8656 §18.12): why one of two requested address families could not be
 * allocated. Family (8 bits), 13 reserved bits, class (3 bits), number (8 bits), reason phrase; code and
 * reason follow ERROR-CODE's rules (440 or 508 in practice).
 *
 * @param family 0..255 (0x01 IPv4, 0x02 IPv6)
 * @param code 300..699
 * @param reason the reason phrase, fewer than 128 characters
 */
public record AddressErrorCode(int family, int code, String reason) implements StunAttribute {
    public AddressErrorCode {
        Bytes.requireU8("address family", family);
        if (code < ErrorCode.MIN_CODE || code > ErrorCode.MAX_CODE) {
            throw new IllegalArgumentException("error code must be 300..699: " + code);
        }
        TextLimits.require("reason phrase", reason, TextLimits.MAX_CHARS, TextLimits.MAX_BYTES);
    }

    /** This family and error code with its default reason phrase. */
    public AddressErrorCode(int family, ErrorCode code) {
        this(family, code.code(), code.reason());
    }

    /** The code as an {@link ErrorCode}. */
    public ErrorCode errorCode() {
        return ErrorCode.valueOf(code);
    }

    @Override
    public AttributeType type() {
        return AttributeType.ADDRESS_ERROR_CODE;
    }
}
