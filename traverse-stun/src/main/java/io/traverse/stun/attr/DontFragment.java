package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;

/** DONT-FRAGMENT (RFC 8656 §18.9): no value; asks the server to set DF on relayed packets. */
public record DontFragment() implements StunAttribute {
    @Override
    public AttributeType type() {
        return AttributeType.DONT_FRAGMENT;
    }
}
