package io.traverse.stun;

import java.util.HashMap;
import java.util.Map;

/**
 * A STUN error code (RFC 8489 §14.8, IANA "STUN Error Codes"): 300..699 with a default reason phrase.
 * An open set: {@link #valueOf(int)} returns the constant for a registered code or a new instance, so
 * unknown codes survive a round trip. Two error codes are equal when their numbers are equal.
 */
public final class ErrorCode {
    private static final Map<Integer, ErrorCode> KNOWN = new HashMap<>();

    /** 300, RFC 8489 §14.8. */
    public static final ErrorCode TRY_ALTERNATE = register(300, "Try Alternate");
    /** 400, RFC 8489 §14.8. */
    public static final ErrorCode BAD_REQUEST = register(400, "Bad Request");
    /** 401, RFC 8489 §14.8. */
    public static final ErrorCode UNAUTHENTICATED = register(401, "Unauthenticated");
    /** 403, RFC 8656 §19. */
    public static final ErrorCode FORBIDDEN = register(403, "Forbidden");
    /** 405, RFC 8016 §3.4. */
    public static final ErrorCode MOBILITY_FORBIDDEN = register(405, "Mobility Forbidden");
    /** 420, RFC 8489 §14.8. */
    public static final ErrorCode UNKNOWN_ATTRIBUTE = register(420, "Unknown Attribute");
    /** 437, RFC 8656 §19. */
    public static final ErrorCode ALLOCATION_MISMATCH = register(437, "Allocation Mismatch");
    /** 438, RFC 8489 §14.8. */
    public static final ErrorCode STALE_NONCE = register(438, "Stale Nonce");
    /** 440, RFC 8656 §19. */
    public static final ErrorCode ADDRESS_FAMILY_NOT_SUPPORTED = register(440, "Address Family not Supported");
    /** 441, RFC 8656 §19. */
    public static final ErrorCode WRONG_CREDENTIALS = register(441, "Wrong Credentials");
    /** 442, RFC 8656 §19. */
    public static final ErrorCode UNSUPPORTED_TRANSPORT_PROTOCOL = register(442, "Unsupported Transport Protocol");
    /** 443, RFC 8656 §19. */
    public static final ErrorCode PEER_ADDRESS_FAMILY_MISMATCH = register(443, "Peer Address Family Mismatch");
    /** 446, RFC 6062 §6.3. */
    public static final ErrorCode CONNECTION_ALREADY_EXISTS = register(446, "Connection Already Exists");
    /** 447, RFC 6062 §6.3. */
    public static final ErrorCode CONNECTION_TIMEOUT_OR_FAILURE = register(447, "Connection Timeout or Failure");
    /** 486, RFC 8656 §19. */
    public static final ErrorCode ALLOCATION_QUOTA_REACHED = register(486, "Allocation Quota Reached");
    /** 487, RFC 8445 §16.2 (ICE). */
    public static final ErrorCode ROLE_CONFLICT = register(487, "Role Conflict");
    /** 500, RFC 8489 §14.8. */
    public static final ErrorCode SERVER_ERROR = register(500, "Server Error");
    /** 508, RFC 8656 §19. */
    public static final ErrorCode INSUFFICIENT_CAPACITY = register(508, "Insufficient Capacity");

    /** Smallest error code the ERROR-CODE attribute can carry (class 3). */
    public static final int MIN_CODE = 300;
    /** Largest error code the ERROR-CODE attribute can carry (class 6, number 99). */
    public static final int MAX_CODE = 699;

    private final int code;
    private final String reason;

    private ErrorCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    private static ErrorCode register(int code, String reason) {
        ErrorCode e = new ErrorCode(code, reason);
        KNOWN.put(code, e);
        return e;
    }

    /**
     * The error code with this number: a constant when registered, otherwise a new instance whose
     * default reason is {@code "Error <code>"}.
     *
     * @throws IllegalArgumentException if {@code code} is outside 300..699
     */
    public static ErrorCode valueOf(int code) {
        if (code < MIN_CODE || code > MAX_CODE) {
            throw new IllegalArgumentException("error code must be 300..699: " + code);
        }
        ErrorCode known = KNOWN.get(code);
        return known != null ? known : new ErrorCode(code, "Error " + code);
    }

    /** The number, e.g. 401. */
    public int code() {
        return code;
    }

    /** The default reason phrase, e.g. "Unauthenticated". */
    public String reason() {
        return reason;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErrorCode other && other.code == code;
    }

    @Override
    public int hashCode() {
        return code;
    }

    @Override
    public String toString() {
        return code + " " + reason;
    }
}
