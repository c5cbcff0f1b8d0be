package io.traverse.stun.auth;

import io.traverse.stun.auth.PrecisException.Reason;
import java.text.Normalizer;

/**
 * The code point rules of the two PRECIS string classes (RFC 8264 §4.2 IdentifierClass, §4.3
 * FreeformClass), derived from Unicode properties that {@link Character} and {@link Normalizer}
 * expose, in the order of RFC 8264 §8 ("Order of Operations" of the derivation).
 *
 * <p>Subset implemented (stricter where it differs, never more lenient):
 *
 * <ul>
 *   <li>Exceptions (RFC 8264 §9.6, RFC 5892 §2.6) PVALID / DISALLOWED / CONTEXTO, with the CONTEXTO
 *       rules of RFC 5892 Appendix A.3–A.7 (middle dot, Greek keraia, Hebrew geresh/gershayim,
 *       katakana middle dot).
 *   <li>Unassigned (§9.4) as of the running JDK's Unicode version (JDK 17: Unicode 13).
 *   <li>JoinControl (§9.8) is CONTEXTJ in the RFC; its context rules need the canonical combining
 *       class and joining type, which the JDK does not expose, so ZWJ/ZWNJ are always rejected.
 *   <li>OldHangulJamo (§9.9), PrecisIgnorableProperties (§9.13: Default_Ignorable_Code_Point from
 *       the Unicode DerivedCoreProperties table, and Noncharacter_Code_Point), Controls (§9.12).
 *   <li>HasCompat (§9.17), LetterDigits (§9.1), OtherLetterDigits (§9.18), Spaces (§9.14), Symbols
 *       (§9.15), Punctuation (§9.16) by general category; everything else is DISALLOWED (§9.2 "any
 *       other"), which covers Cf, Co, Cs, Zl and Zp.
 *   <li>Not implemented: the Arabic-Indic digit mixing rules (RFC 5892 A.8/A.9) and the Bidi rule
 *       (RFC 5893) that UsernameCasePreserved applies.
 * </ul>
 */
final class PrecisRules {

    /** The two string classes of RFC 8264 §4. */
    enum StringClass {
        IDENTIFIER,
        FREEFORM
    }

    private static final int[] DEFAULT_IGNORABLE = {
        0x00AD, 0x00AD, 0x034F, 0x034F, 0x061C, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5,
        0x180B, 0x180F, 0x200B, 0x200F, 0x202A, 0x202E, 0x2060, 0x206F, 0x3164, 0x3164,
        0xFE00, 0xFE0F, 0xFEFF, 0xFEFF, 0xFFA0, 0xFFA0, 0xFFF0, 0xFFF8, 0x1BCA0, 0x1BCA3,
        0x1D173, 0x1D17A, 0xE0000, 0xE0FFF,
    };

    private PrecisRules() {}

    /**
     * True when every char is printable ASCII (0x20–0x7E): such a string is already NFC, has no
     * width or space mapping to do and only needs the space check of the IdentifierClass.
     */
    static boolean isPrintableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** Throws unless every code point of {@code s} is valid in {@code stringClass}. */
    static void enforce(String profile, String s, StringClass stringClass) throws PrecisException {
        if (s.isEmpty()) {
            throw new PrecisException(profile, Reason.EMPTY, -1, -1);
        }
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            Reason reason = check(s, i, cp, stringClass);
            if (reason != null) {
                throw new PrecisException(profile, reason, cp, i);
            }
            i += Character.charCount(cp);
        }
    }

    /** Null when {@code cp} at char index {@code i} of {@code s} is valid, else the reason. */
    private static Reason check(String s, int i, int cp, StringClass stringClass) {
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            return Reason.SURROGATE;
        }
        // RFC 8264 §9.6 Exceptions (RFC 5892 §2.6).
        switch (cp) {
            case 0x00DF: case 0x03C2: case 0x06FD: case 0x06FE: case 0x0F0B: case 0x3007:
                return null;
            case 0x0640: case 0x07FA: case 0x302E: case 0x302F: case 0x3031: case 0x3032:
            case 0x3033: case 0x3034: case 0x3035: case 0x303B:
                return Reason.DISALLOWED;
            case 0x00B7: case 0x0375: case 0x05F3: case 0x05F4: case 0x30FB:
                return contextORuleHolds(s, i, cp) ? null : Reason.CONTEXT_RULE;
            default:
                break;
        }
        if (isNoncharacter(cp)) {
            return Reason.NONCHARACTER;
        }
        int type = Character.getType(cp);
        if (type == Character.UNASSIGNED) {
            return Reason.UNASSIGNED;
        }
        if (cp >= 0x21 && cp <= 0x7E) {
            return null; // §9.11 ASCII7
        }
        if (cp == 0x200C || cp == 0x200D) {
            return Reason.JOIN_CONTROL;
        }
        if (isOldHangulJamo(cp)) {
            return Reason.OLD_HANGUL_JAMO;
        }
        if (isDefaultIgnorable(cp)) {
            return Reason.IGNORABLE;
        }
        if (type == Character.CONTROL) {
            return Reason.CONTROL;
        }
        boolean freeform = stringClass == StringClass.FREEFORM;
        if (hasCompat(cp)) {
            return freeform ? null : Reason.DISALLOWED; // §9.17: ID_DISALLOWED or FREE_PVAL
        }
        if (isLetterDigit(type)) {
            return null;
        }
        if (freeform && isFreeformOnly(type)) {
            return null;
        }
        return Reason.DISALLOWED;
    }

    /** RFC 5892 Appendix A.3 (MIDDLE DOT), A.4 (KERAIA), A.5/A.6 (GERESH, GERSHAYIM), A.7. */
    private static boolean contextORuleHolds(String s, int i, int cp) {
        switch (cp) {
            case 0x00B7: {
                int next = i + 1;
                return i > 0 && s.charAt(i - 1) == 'l' && next < s.length() && s.charAt(next) == 'l';
            }
            case 0x0375: {
                int next = i + 1;
                return next < s.length()
                        && Character.UnicodeScript.of(s.codePointAt(next)) == Character.UnicodeScript.GREEK;
            }
            case 0x05F3:
            case 0x05F4:
                return i > 0
                        && Character.UnicodeScript.of(s.codePointBefore(i)) == Character.UnicodeScript.HEBREW;
            case 0x30FB:
                return s.codePoints().anyMatch(c -> {
                    Character.UnicodeScript script = Character.UnicodeScript.of(c);
                    return script == Character.UnicodeScript.HIRAGANA
                            || script == Character.UnicodeScript.KATAKANA
                            || script == Character.UnicodeScript.HAN;
                });
            default:
                return false;
        }
    }

    static boolean isNoncharacter(int cp) {
        return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }

    /** Hangul_Syllable_Type L, V or T (the conjoining jamo blocks). */
    static boolean isOldHangulJamo(int cp) {
        return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xD7B0 && cp <= 0xD7FF);
    }

    static boolean isDefaultIgnorable(int cp) {
        for (int k = 0; k < DEFAULT_IGNORABLE.length; k += 2) {
            if (cp >= DEFAULT_IGNORABLE[k] && cp <= DEFAULT_IGNORABLE[k + 1]) {
                return true;
            }
        }
        return false;
    }

    /** RFC 8264 §9.17: toNFKC(cp) != cp. */
    private static boolean hasCompat(int cp) {
        return !Normalizer.isNormalized(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
    }

    /** RFC 8264 §9.1 LetterDigits: Ll, Lu, Lo, Nd, Lm, Mn, Mc. */
    private static boolean isLetterDigit(int type) {
        return type == Character.LOWERCASE_LETTER
                || type == Character.UPPERCASE_LETTER
                || type == Character.OTHER_LETTER
                || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.MODIFIER_LETTER
                || type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK;
    }

    /**
     * Valid in the FreeformClass only: §9.18 OtherLetterDigits (Lt, Nl, No, Me), §9.14 Spaces (Zs),
     * §9.15 Symbols (Sm, Sc, Sk, So), §9.16 Punctuation (Pc, Pd, Ps, Pe, Pi, Pf, Po).
     */
    private static boolean isFreeformOnly(int type) {
        switch (type) {
            case Character.TITLECASE_LETTER:
            case Character.LETTER_NUMBER:
            case Character.OTHER_NUMBER:
            case Character.ENCLOSING_MARK:
            case Character.SPACE_SEPARATOR:
            case Character.MATH_SYMBOL:
            case Character.CURRENCY_SYMBOL:
            case Character.MODIFIER_SYMBOL:
            case Character.OTHER_SYMBOL:
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }
}
