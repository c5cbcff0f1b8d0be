package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * ICMP (RFC 8656 §18.13): in a Data indication, the ICMP error the server received for a relayed packet.
 * 16 reserved bits, ICMP type, ICMP code, then 4 bytes of error data (the next-hop MTU for "packet too
 * big" / "fragmentation needed", else zero). Type and code are one byte each on the wire, as ICMP has
 * them (the RFC's figure draws them 7 and 9 bits wide; implementations use bytes).
 *
 * <p>The components are named {@code icmpType}/{@code icmpCode} because {@link #type()} is the
 * attribute type.
 *
 * @param icmpType 0..255
 * @param icmpCode 0..255
 * @param errorData the 32 bits of error data
 */
public record Icmp(int icmpType, int icmpCode, int errorData) implements StunAttribute {
    public Icmp {
        Bytes.requireU8("ICMP type", icmpType);
        Bytes.requireU8("ICMP code", icmpCode);
    }

    @Override
    public AttributeType type() {
        return AttributeType.ICMP;
    }
}
