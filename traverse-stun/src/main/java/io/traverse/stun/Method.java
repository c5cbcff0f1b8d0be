package io.traverse.stun;

import java.util.HashMap;
import java.util.Map;

/**
 * A STUN method (RFC 8489 §5, §18.2): a 12-bit number. An open set: {@link #valueOf(int)} returns the
 * constant for a registered method or a new instance for any other code, so unknown methods survive a
 * decode/encode round trip. Two methods are equal when their codes are equal.
 */
public final class Method {
    private static final Map<Integer, Method> KNOWN = new HashMap<>();

    /** Binding, RFC 8489 §18.2. */
    public static final Method BINDING = register(0x001, "BINDING");
    /** Allocate, RFC 8656 §17. */
    public static final Method ALLOCATE = register(0x003, "ALLOCATE");
    /** Refresh, RFC 8656 §17. */
    public static final Method REFRESH = register(0x004, "REFRESH");
    /** Send (indication only), RFC 8656 §17. */
    public static final Method SEND = register(0x006, "SEND");
    /** Data (indication only), RFC 8656 §17. */
    public static final Method DATA = register(0x007, "DATA");
    /** CreatePermission, RFC 8656 §17. */
    public static final Method CREATE_PERMISSION = register(0x008, "CREATE_PERMISSION");
    /** ChannelBind, RFC 8656 §17. */
    public static final Method CHANNEL_BIND = register(0x009, "CHANNEL_BIND");
    /** Connect, RFC 6062 §6.1. */
    public static final Method CONNECT = register(0x00A, "CONNECT");
    /** ConnectionBind, RFC 6062 §6.1. */
    public static final Method CONNECTION_BIND = register(0x00B, "CONNECTION_BIND");
    /** ConnectionAttempt (indication), RFC 6062 §6.1. */
    public static final Method CONNECTION_ATTEMPT = register(0x00C, "CONNECTION_ATTEMPT");

    /** Largest method code that fits the 12 method bits of the message type. */
    public static final int MAX_CODE = 0xFFF;

    private final int code;
    private final String name;

    private Method(int code, String name) {
        this.code = code;
        this.name = name;
    }

    private static Method register(int code, String name) {
        Method m = new Method(code, name);
        KNOWN.put(code, m);
        return m;
    }

    /**
     * The method with this code: a constant when registered, otherwise a new instance.
     *
     * @throws IllegalArgumentException if {@code code} is outside 0..0xFFF
     */
    public static Method valueOf(int code) {
        if (code < 0 || code > MAX_CODE) {
            throw new IllegalArgumentException("method code must be 0..0xFFF: " + code);
        }
        Method known = KNOWN.get(code);
        return known != null ? known : new Method(code, String.format("0x%03X", code));
    }

    /** The 12-bit method code. */
    public int code() {
        return code;
    }

    /** The registered name (e.g. {@code ALLOCATE}) or {@code 0xNNN} for an unknown method. */
    public String name() {
        return name;
    }

    /** True when this is one of the constants above. */
    public boolean isKnown() {
        return KNOWN.get(code) == this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Method other && other.code == code;
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
