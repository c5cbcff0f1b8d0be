package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * CHANNEL-NUMBER (RFC 8656 §18.1): a 16-bit channel number followed by 16 RFFU bits. Any 16-bit value is
 * representable so that a server can answer 400 to one outside 0x4000..0x4FFF (RFC 8656 §11.2).
 *
 * @param number 0..0xFFFF
 */
public record ChannelNumber(int number) implements StunAttribute {
    public ChannelNumber {
        Bytes.requireU16("channel number", number);
    }

    /** True for 0x4000..0x7FFF: RFC 8656 §12's 0x4000..0x4FFF plus the rest of RFC 5766's range, still in use. */
    public boolean isValidChannel() {
        return number >= 0x4000 && number <= 0x7FFF;
    }

    @Override
    public AttributeType type() {
        return AttributeType.CHANNEL_NUMBER;
    }

    @Override
    public String toString() {
        return String.format("ChannelNumber[0x%04X]", number);
    }
}
