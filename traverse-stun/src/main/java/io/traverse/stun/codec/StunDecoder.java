package io.traverse.stun.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.traverse.stun.AttributeType;
import io.traverse.stun.MessageType;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.UnknownAttribute;
import io.traverse.stun.codec.StunParseException.Reason;
import java.util.Objects;

/**
 * Decodes one STUN message (RFC 8489 §5, §6, §14).
 *
 * <p>The readable bytes must be exactly one message, as in a datagram: the header's length field must
 * equal the readable bytes minus 20 (stream transports frame first, see {@link Framing}). The reader
 * index is not changed and nothing outside the readable bytes is read. Malformed input gives
 * {@link StunParseException}; no other exception escapes.
 *
 * <p>Per RFC 8489 §14.5–§14.7, attributes after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and
 * FINGERPRINT, attributes after MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, and anything after
 * FINGERPRINT are ignored: their structure is checked, their values are not decoded, and they are absent
 * from {@link DecodedMessage#message()}.
 *
 * <p>Known attributes with malformed values are errors (reason names which). Unknown types become
 * {@link UnknownAttribute}; whether one is comprehension-required is for the caller to judge (see
 * {@link StunMessage#unknownComprehensionRequired()}).
 */
public final class StunDecoder {
    private static final int MI = AttributeType.MESSAGE_INTEGRITY.code();
    private static final int MI256 = AttributeType.MESSAGE_INTEGRITY_SHA256.code();
    private static final int FP = AttributeType.FINGERPRINT.code();

    private StunDecoder() {
    }

    /** Decodes {@code bytes} as one whole message. */
    public static DecodedMessage decode(byte[] bytes) throws StunParseException {
        Objects.requireNonNull(bytes, "bytes");
        return decode(Unpooled.wrappedBuffer(bytes));
    }

    /** Decodes the readable bytes of {@code buf} as one whole message, leaving its indices unchanged. */
    public static DecodedMessage decode(ByteBuf buf) throws StunParseException {
        Objects.requireNonNull(buf, "buf");
        try {
            return decode0(buf, buf.readerIndex(), buf.readableBytes());
        } catch (RuntimeException e) {
            // Defence in depth: a decoder bug must not take down the caller. Tests assert this never happens.
            throw new StunParseException(Reason.INTERNAL_ERROR, e.toString(), e);
        }
    }

    private static DecodedMessage decode0(ByteBuf buf, int start, int size) throws StunParseException {
        if (size < StunWire.HEADER_LENGTH) {
            throw new StunParseException(Reason.TRUNCATED_HEADER, size + " bytes, a header needs 20");
        }
        int typeField = buf.getUnsignedShort(start);
        if ((typeField & 0xC000) != 0) {
            throw new StunParseException(Reason.BAD_TOP_BITS, String.format("type field 0x%04x", typeField));
        }
        int cookie = buf.getInt(start + 4);
        if (cookie != StunWire.MAGIC_COOKIE) {
            throw new StunParseException(Reason.BAD_MAGIC_COOKIE, String.format("0x%08x", cookie));
        }
        int length = buf.getUnsignedShort(start + 2);
        if ((length & 3) != 0) {
            throw new StunParseException(Reason.LENGTH_NOT_MULTIPLE_OF_4, "length field " + length);
        }
        if (length != size - StunWire.HEADER_LENGTH) {
            throw new StunParseException(Reason.LENGTH_MISMATCH,
                    "length field " + length + " but " + (size - StunWire.HEADER_LENGTH) + " bytes follow the header");
        }
        byte[] tidBytes = new byte[TransactionId.LENGTH];
        buf.getBytes(start + 8, tidBytes);
        TransactionId tid = TransactionId.of(tidBytes);
        StunMessage.Builder builder = StunMessage.builder(MessageType.fromWire(typeField), tid);

        int end = start + size;
        int pos = start + StunWire.HEADER_LENGTH;
        int miOffset = -1;
        int mi256Offset = -1;
        int mi256Length = 0;
        int fpOffset = -1;
        boolean seenMi = false;
        boolean seenMi256 = false;
        boolean seenFp = false;
        while (pos < end) {
            if (end - pos < StunWire.ATTRIBUTE_HEADER_LENGTH) {
                // Cannot happen while the length is a multiple of 4; kept so the loop never over-reads.
                throw new StunParseException(Reason.ATTRIBUTE_OVERRUN, "attribute header cut at offset " + (pos - start));
            }
            int type = buf.getUnsignedShort(pos);
            int valueLength = buf.getUnsignedShort(pos + 2);
            int valueIndex = pos + StunWire.ATTRIBUTE_HEADER_LENGTH;
            if (valueLength > end - valueIndex) {
                throw new StunParseException(Reason.ATTRIBUTE_OVERRUN, String.format(
                        "attribute 0x%04x at offset %d has length %d, only %d bytes left",
                        type, pos - start, valueLength, end - valueIndex));
            }
            boolean include;
            if (seenFp) {
                include = false;
            } else if (seenMi256) {
                include = type == FP;
            } else if (seenMi) {
                include = type == MI256 || type == FP;
            } else {
                include = true;
            }
            if (include) {
                builder.add(decodeAttribute(buf, type, valueIndex, valueLength, tid));
                if (type == MI) {
                    seenMi = true;
                    miOffset = pos - start;
                } else if (type == MI256) {
                    seenMi256 = true;
                    mi256Offset = pos - start;
                    mi256Length = valueLength;
                } else if (type == FP) {
                    seenFp = true;
                    fpOffset = pos - start;
                }
            }
            // Cannot pass end: length and pos are multiples of 4 and the value fits.
            pos = valueIndex + StunWire.pad4(valueLength);
        }

        byte[] raw = null;
        if (miOffset >= 0 || mi256Offset >= 0 || fpOffset >= 0) {
            raw = new byte[size];
            buf.getBytes(start, raw);
        }
        return new DecodedMessage(builder.build(), raw, miOffset, mi256Offset, mi256Length, fpOffset);
    }

    private static StunAttribute decodeAttribute(ByteBuf buf, int type, int index, int length, TransactionId tid)
            throws StunParseException {
        AttributeCodecs.Decoder decoder = AttributeCodecs.decoder(type);
        if (decoder == null) {
            byte[] value = new byte[length];
            buf.getBytes(index, value);
            return new UnknownAttribute(type, value);
        }
        try {
            return decoder.decode(buf, index, length, tid);
        } catch (IllegalArgumentException e) {
            // A record constructor refused the value; the decoders check first, this is the safety net.
            throw new StunParseException(Reason.BAD_ATTRIBUTE_VALUE,
                    AttributeType.valueOf(type).name() + ": " + e.getMessage());
        }
    }
}
