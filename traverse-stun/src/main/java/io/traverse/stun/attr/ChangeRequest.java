package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * CHANGE-REQUEST (RFC 5780 §7.2): 32 bits in which flag A (0x4) asks for the response from the other IP
 * address and flag B (0x2) from the other port. Other bits are ignored on decode and sent as zero.
 *
 * @param changeIp flag A
 * @param changePort flag B
 */
public record ChangeRequest(boolean changeIp, boolean changePort) implements StunAttribute {
    /** Bit of flag A in the 32-bit value. */
    public static final int CHANGE_IP = 0x4;
    /** Bit of flag B in the 32-bit value. */
    public static final int CHANGE_PORT = 0x2;

    @Override
    public AttributeType type() {
        return AttributeType.CHANGE_REQUEST;
    }
}
