package io.traverse.stun.attr;

/**
 * Length rules for the UTF-8 text attributes (RFC 8489 §14.3, §14.8–§14.10, §14.14, §14.16): limits
 * in bytes of UTF-8 and in characters (Unicode code points).
 */
public final class TextLimits {
    /** REALM, NONCE, SOFTWARE and reason phrases: fewer than 128 characters. */
    public static final int MAX_CHARS = 127;
    /** REALM, NONCE, SOFTWARE and reason phrases: at most 763 bytes (RFC 8489 §14.8–§14.14). */
    public static final int MAX_BYTES = 763;
    /**
     * USERNAME: "MUST contain a UTF-8-encoded sequence of fewer than 509 bytes" (RFC 8489 §14.3). RFC
     * 5389's 512 is not accepted: no known client sends longer names, and a larger limit only helps
     * an attacker.
     */
    public static final int USERNAME_MAX_BYTES = 508;
    /** ALTERNATE-DOMAIN: at most 255 bytes (RFC 8489 §14.16). */
    public static final int DOMAIN_MAX_BYTES = 255;

    private TextLimits() {
    }

    /**
     * Number of bytes {@code s} takes in UTF-8.
     *
     * @throws IllegalArgumentException if {@code s} holds an unpaired surrogate (not encodable)
     */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new IllegalArgumentException("unpaired surrogate in text");
                }
                n += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("unpaired surrogate in text");
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Checks {@code s} against a byte limit and (when {@code maxChars >= 0}) a character limit.
     *
     * @return {@code s}
     * @throws IllegalArgumentException naming {@code what} when a limit is exceeded
     * @throws NullPointerException if {@code s} is null
     */
    public static String require(String what, String s, int maxChars, int maxBytes) {
        if (s == null) {
            throw new NullPointerException(what);
        }
        int bytes = utf8Length(s);
        if (bytes > maxBytes) {
            throw new IllegalArgumentException(what + " is " + bytes + " bytes, limit " + maxBytes);
        }
        if (maxChars >= 0) {
            int chars = s.codePointCount(0, s.length());
            if (chars > maxChars) {
                throw new IllegalArgumentException(what + " is " + chars + " characters, limit " + maxChars);
            }
        }
        return s;
    }
}
