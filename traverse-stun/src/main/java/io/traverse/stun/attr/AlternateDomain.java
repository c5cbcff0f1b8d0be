package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/**
 * ALTERNATE-DOMAIN (RFC 8489 §14.16): the domain name of the ALTERNATE-SERVER, for TLS/DTLS
 * certificate checks; at most 255 bytes.
 *
 * @param value the text; checked against the limits above
 */
public record AlternateDomain(String value) implements StunAttribute {
    public AlternateDomain {
        TextLimits.require("ALTERNATE-DOMAIN", value, -1, TextLimits.DOMAIN_MAX_BYTES);
    }

    @Override
    public AttributeType type() {
        return AttributeType.ALTERNATE_DOMAIN;
    }
}
