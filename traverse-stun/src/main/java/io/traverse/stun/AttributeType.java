package io.traverse.stun;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A STUN attribute type (RFC 8489 §14, IANA "STUN Attributes" registry): a 16-bit code. An open set:
 * {@link #valueOf(int)} returns the constant for a registered type or a new instance for any other, so
 * unknown attributes survive a round trip. Two types are equal when their codes are equal.
 *
 * <p>Codes 0x0000–0x7FFF are comprehension-required, 0x8000–0xFFFF comprehension-optional
 * (RFC 8489 §14): an agent must answer 420 to a request carrying an unknown comprehension-required
 * attribute.
 */
public final class AttributeType {
    private static final Map<Integer, AttributeType> KNOWN = new LinkedHashMap<>();

    // RFC 8489 §14 / §18.3 (STUN)
    /** MAPPED-ADDRESS, RFC 8489 §14.1. */
    public static final AttributeType MAPPED_ADDRESS = register(0x0001, "MAPPED-ADDRESS");
    /** RESPONSE-ADDRESS, RFC 3489 legacy; decoded as an unknown attribute. */
    public static final AttributeType RESPONSE_ADDRESS = register(0x0002, "RESPONSE-ADDRESS");
    /** CHANGE-REQUEST, RFC 5780 §7.2 (reusing the RFC 3489 code). */
    public static final AttributeType CHANGE_REQUEST = register(0x0003, "CHANGE-REQUEST");
    /** SOURCE-ADDRESS, RFC 3489 legacy; decoded as an unknown attribute. */
    public static final AttributeType SOURCE_ADDRESS = register(0x0004, "SOURCE-ADDRESS");
    /** CHANGED-ADDRESS, RFC 3489 legacy; decoded as an unknown attribute. */
    public static final AttributeType CHANGED_ADDRESS = register(0x0005, "CHANGED-ADDRESS");
    /** USERNAME, RFC 8489 §14.3. */
    public static final AttributeType USERNAME = register(0x0006, "USERNAME");
    /** PASSWORD, RFC 3489 legacy; decoded as an unknown attribute. */
    public static final AttributeType PASSWORD = register(0x0007, "PASSWORD");
    /** MESSAGE-INTEGRITY, RFC 8489 §14.5. */
    public static final AttributeType MESSAGE_INTEGRITY = register(0x0008, "MESSAGE-INTEGRITY");
    /** ERROR-CODE, RFC 8489 §14.8. */
    public static final AttributeType ERROR_CODE = register(0x0009, "ERROR-CODE");
    /** UNKNOWN-ATTRIBUTES, RFC 8489 §14.9. */
    public static final AttributeType UNKNOWN_ATTRIBUTES = register(0x000A, "UNKNOWN-ATTRIBUTES");
    /** REFLECTED-FROM, RFC 3489 legacy; decoded as an unknown attribute. */
    public static final AttributeType REFLECTED_FROM = register(0x000B, "REFLECTED-FROM");
    /** CHANNEL-NUMBER, RFC 8656 §18.1. */
    public static final AttributeType CHANNEL_NUMBER = register(0x000C, "CHANNEL-NUMBER");
    /** LIFETIME, RFC 8656 §18.2. */
    public static final AttributeType LIFETIME = register(0x000D, "LIFETIME");
    /** XOR-PEER-ADDRESS, RFC 8656 §18.3. */
    public static final AttributeType XOR_PEER_ADDRESS = register(0x0012, "XOR-PEER-ADDRESS");
    /** DATA, RFC 8656 §18.4. */
    public static final AttributeType DATA = register(0x0013, "DATA");
    /** REALM, RFC 8489 §14.9. */
    public static final AttributeType REALM = register(0x0014, "REALM");
    /** NONCE, RFC 8489 §14.10. */
    public static final AttributeType NONCE = register(0x0015, "NONCE");
    /** XOR-RELAYED-ADDRESS, RFC 8656 §18.5. */
    public static final AttributeType XOR_RELAYED_ADDRESS = register(0x0016, "XOR-RELAYED-ADDRESS");
    /** REQUESTED-ADDRESS-FAMILY, RFC 8656 §18.6. */
    public static final AttributeType REQUESTED_ADDRESS_FAMILY = register(0x0017, "REQUESTED-ADDRESS-FAMILY");
    /** EVEN-PORT, RFC 8656 §18.7. */
    public static final AttributeType EVEN_PORT = register(0x0018, "EVEN-PORT");
    /** REQUESTED-TRANSPORT, RFC 8656 §18.8. */
    public static final AttributeType REQUESTED_TRANSPORT = register(0x0019, "REQUESTED-TRANSPORT");
    /** DONT-FRAGMENT, RFC 8656 §18.9. */
    public static final AttributeType DONT_FRAGMENT = register(0x001A, "DONT-FRAGMENT");
    /** ACCESS-TOKEN, RFC 7635 §6.2; decoded as an unknown attribute. */
    public static final AttributeType ACCESS_TOKEN = register(0x001B, "ACCESS-TOKEN");
    /** MESSAGE-INTEGRITY-SHA256, RFC 8489 §14.6. */
    public static final AttributeType MESSAGE_INTEGRITY_SHA256 = register(0x001C, "MESSAGE-INTEGRITY-SHA256");
    /** PASSWORD-ALGORITHM, RFC 8489 §14.12. */
    public static final AttributeType PASSWORD_ALGORITHM = register(0x001D, "PASSWORD-ALGORITHM");
    /** USERHASH, RFC 8489 §14.4. */
    public static final AttributeType USERHASH = register(0x001E, "USERHASH");
    /** XOR-MAPPED-ADDRESS, RFC 8489 §14.2. */
    public static final AttributeType XOR_MAPPED_ADDRESS = register(0x0020, "XOR-MAPPED-ADDRESS");
    /** RESERVATION-TOKEN, RFC 8656 §18.10. */
    public static final AttributeType RESERVATION_TOKEN = register(0x0022, "RESERVATION-TOKEN");
    /** PRIORITY, RFC 8445 §16.1 (ICE); decoded as an unknown attribute. */
    public static final AttributeType PRIORITY = register(0x0024, "PRIORITY");
    /** USE-CANDIDATE, RFC 8445 §16.1 (ICE); decoded as an unknown attribute. */
    public static final AttributeType USE_CANDIDATE = register(0x0025, "USE-CANDIDATE");
    /** PADDING, RFC 5780 §7.6. */
    public static final AttributeType PADDING = register(0x0026, "PADDING");
    /** RESPONSE-PORT, RFC 5780 §7.5. */
    public static final AttributeType RESPONSE_PORT = register(0x0027, "RESPONSE-PORT");
    /** CONNECTION-ID, RFC 6062 §6.2.1. */
    public static final AttributeType CONNECTION_ID = register(0x002A, "CONNECTION-ID");
    /** ADDITIONAL-ADDRESS-FAMILY, RFC 8656 §18.11. */
    public static final AttributeType ADDITIONAL_ADDRESS_FAMILY = register(0x8000, "ADDITIONAL-ADDRESS-FAMILY");
    /** ADDRESS-ERROR-CODE, RFC 8656 §18.12. */
    public static final AttributeType ADDRESS_ERROR_CODE = register(0x8001, "ADDRESS-ERROR-CODE");
    /** PASSWORD-ALGORITHMS, RFC 8489 §14.11. */
    public static final AttributeType PASSWORD_ALGORITHMS = register(0x8002, "PASSWORD-ALGORITHMS");
    /** ALTERNATE-DOMAIN, RFC 8489 §14.16. */
    public static final AttributeType ALTERNATE_DOMAIN = register(0x8003, "ALTERNATE-DOMAIN");
    /** ICMP, RFC 8656 §18.13. */
    public static final AttributeType ICMP = register(0x8004, "ICMP");
    /** SOFTWARE, RFC 8489 §14.14. */
    public static final AttributeType SOFTWARE = register(0x8022, "SOFTWARE");
    /** ALTERNATE-SERVER, RFC 8489 §14.15. */
    public static final AttributeType ALTERNATE_SERVER = register(0x8023, "ALTERNATE-SERVER");
    /** FINGERPRINT, RFC 8489 §14.7. */
    public static final AttributeType FINGERPRINT = register(0x8028, "FINGERPRINT");
    /** ICE-CONTROLLED, RFC 8445 §16.1 (ICE); decoded as an unknown attribute. */
    public static final AttributeType ICE_CONTROLLED = register(0x8029, "ICE-CONTROLLED");
    /** ICE-CONTROLLING, RFC 8445 §16.1 (ICE); decoded as an unknown attribute. */
    public static final AttributeType ICE_CONTROLLING = register(0x802A, "ICE-CONTROLLING");
    /** RESPONSE-ORIGIN, RFC 5780 §7.3. */
    public static final AttributeType RESPONSE_ORIGIN = register(0x802B, "RESPONSE-ORIGIN");
    /** OTHER-ADDRESS, RFC 5780 §7.4. */
    public static final AttributeType OTHER_ADDRESS = register(0x802C, "OTHER-ADDRESS");

    private final int code;
    private final String name;

    private AttributeType(int code, String name) {
        this.code = code;
        this.name = name;
    }

    private static AttributeType register(int code, String name) {
        AttributeType t = new AttributeType(code, name);
        KNOWN.put(code, t);
        return t;
    }

    /**
     * The attribute type with this code: a constant when registered, otherwise a new instance.
     *
     * @throws IllegalArgumentException if {@code code} is outside 0..0xFFFF
     */
    public static AttributeType valueOf(int code) {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("attribute type must be 0..0xFFFF: " + code);
        }
        AttributeType known = KNOWN.get(code);
        return known != null ? known : new AttributeType(code, String.format("0x%04X", code));
    }

    /** Every registered constant, in code order. */
    public static Collection<AttributeType> knownTypes() {
        return Collections.unmodifiableCollection(KNOWN.values());
    }

    /** The 16-bit code. */
    public int code() {
        return code;
    }

    /** The IANA name (e.g. {@code XOR-PEER-ADDRESS}) or {@code 0xNNNN} for an unregistered code. */
    public String name() {
        return name;
    }

    /** True for codes below 0x8000 (RFC 8489 §14). */
    public boolean isComprehensionRequired() {
        return isComprehensionRequired(code);
    }

    /** True for codes below 0x8000 (RFC 8489 §14). */
    public static boolean isComprehensionRequired(int code) {
        return code < 0x8000;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttributeType other && other.code == code;
    }

    @Override
    public int hashCode() {
        return code;
    }

    @Override
    public String toString() {
        return name;
    }
}
