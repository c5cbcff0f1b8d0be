package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * RESPONSE-PORT (RFC 5780 §7.5): the port the client wants the response sent to; 16-bit port then 16
 * bits of padding.
 *
 * @param port 0..65535
 */
public record ResponsePort(int port) implements StunAttribute {
    public ResponsePort {
        Bytes.requireU16("port", port);
    }

    @Override
    public AttributeType type() {
        return AttributeType.RESPONSE_PORT;
    }
}
