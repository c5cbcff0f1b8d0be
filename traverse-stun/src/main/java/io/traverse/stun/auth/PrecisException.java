package io.traverse.stun.auth;

import java.util.Objects;

/**
 * A string was rejected by a PRECIS profile (RFC 8264, RFC 8265).
 *
 * <p>The message names only the {@link Reason}; the offending code point and its position are
 * available through accessors so that a tool can show a user what is wrong with their own input,
 * but they are never part of {@link #getMessage()} because the string may be a password.
 */
public final class PrecisException extends CredentialException {
    private static final long serialVersionUID = 1L;

    /** Why the string was rejected; each names the RFC 8264 rule it comes from. */
    public enum Reason {
        /** The result of the profile's rules is the empty string (RFC 8265 §4.2.2 / §3.4). */
        EMPTY("the string is empty after preparation"),
        /** Cc control characters are DISALLOWED (RFC 8264 §9.8 Controls). */
        CONTROL("a control character is not allowed"),
        /** A lone UTF-16 surrogate: not a Unicode scalar value, so not a code point of any class. */
        SURROGATE("an unpaired surrogate is not allowed"),
        /** Noncharacter_Code_Point is DISALLOWED (RFC 8264 §9.13 PrecisIgnorableProperties). */
        NONCHARACTER("a noncharacter code point is not allowed"),
        /** Default_Ignorable_Code_Point is DISALLOWED (RFC 8264 §9.13 PrecisIgnorableProperties). */
        IGNORABLE("a default-ignorable code point is not allowed"),
        /** Code points unassigned in this JDK's Unicode version are UNASSIGNED (RFC 8264 §9.4). */
        UNASSIGNED("an unassigned code point is not allowed"),
        /** Conjoining Hangul Jamo left after NFC are DISALLOWED (RFC 8264 §9.9 OldHangulJamo). */
        OLD_HANGUL_JAMO("an isolated conjoining Hangul jamo is not allowed"),
        /** ZWJ/ZWNJ are CONTEXTJ (RFC 8264 §9.8 JoinControl); this implementation rejects them. */
        JOIN_CONTROL("a join control (ZWJ/ZWNJ) is not allowed"),
        /** A CONTEXTO code point whose context rule (RFC 5892 Appendix A) does not hold. */
        CONTEXT_RULE("a code point is not allowed in this context"),
        /** Any other code point outside the string class (e.g. Cf, Co, Zl, Zp; RFC 8264 §9). */
        DISALLOWED("a code point is not allowed by the string class");

        private final String description;

        Reason(String description) {
            this.description = description;
        }

        /** Human-readable description, free of any input content. */
        public String description() {
            return description;
        }
    }

    private final Reason reason;
    private final int codePoint;
    private final int index;

    /**
     * @param profile name of the PRECIS profile, e.g. "OpaqueString"
     * @param reason why the string was rejected
     * @param codePoint the offending code point, or -1 for {@link Reason#EMPTY}
     * @param index char index of the offending code point in the prepared string, or -1
     */
    public PrecisException(String profile, Reason reason, int codePoint, int index) {
        super(profile + ": " + Objects.requireNonNull(reason, "reason").description());
        this.reason = reason;
        this.codePoint = codePoint;
        this.index = index;
    }

    public Reason reason() {
        return reason;
    }

    /** The offending code point, or -1 when the string was empty. May be part of a password. */
    public int codePoint() {
        return codePoint;
    }

    /** Char index of the offending code point in the prepared string, or -1. */
    public int index() {
        return index;
    }
}
