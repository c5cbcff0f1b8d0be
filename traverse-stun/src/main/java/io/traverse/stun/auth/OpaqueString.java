package io.traverse.stun.auth;

import java.text.Normalizer;
import java.util.Objects;

/**
 * The PRECIS OpaqueString profile (RFC 8265 §4.2), which STUN applies to usernames (RFC 8489
 * §14.3), realms (§14.9), passwords (§9.2.2, §18.5.1) and the USERHASH input (§14.4).
 *
 * <p>Enforcement, in the order of RFC 8265 §4.2.2:
 *
 * <ol>
 *   <li>Width mapping: none.
 *   <li>Additional mapping: every non-ASCII space (general category Zs) becomes U+0020.
 *   <li>Case mapping: none.
 *   <li>Normalisation: NFC ({@link Normalizer.Form#NFC}).
 *   <li>Directionality: none.
 *   <li>Behavioural rule: the result must not be empty.
 * </ol>
 *
 * Every code point of the result must then be valid in the FreeformClass (RFC 8264 §4.3); see
 * {@link PrecisRules} for exactly which rules are implemented. Notable rejections: Cc controls
 * (including TAB, CR, LF), unpaired surrogates, noncharacters, default-ignorable code points such
 * as U+00AD SOFT HYPHEN, code points unassigned in the JDK's Unicode version, private-use and format
 * characters, and ZWJ/ZWNJ (CONTEXTJ, whose context rules are not implemented).
 *
 * <p>Unlike SASLprep (RFC 5389), OpaqueString does not apply compatibility mappings: RFC 5769 §2.4's
 * password "The&lt;U+00AD&gt;M&lt;U+00AA&gt;tr&lt;U+2168&gt;" is rejected here (U+00AD is default
 * ignorable), which is why RFC 8489 Appendix B.1 uses the already-mapped "TheMatrIX".
 */
public final class OpaqueString {
    static final String PROFILE = "OpaqueString";

    private OpaqueString() {}

    /**
     * Applies the OpaqueString enforcement rules.
     *
     * @return the prepared string (the same instance when nothing changed)
     * @throws PrecisException if the result is empty or holds a code point outside the class
     */
    public static String prepare(String input) throws PrecisException {
        Objects.requireNonNull(input, "input");
        if (PrecisRules.isPrintableAscii(input)) {
            if (input.isEmpty()) {
                throw new PrecisException(PROFILE, PrecisException.Reason.EMPTY, -1, -1);
            }
            return input; // printable ASCII: NFC, no Zs other than U+0020, all valid
        }
        String mapped = mapNonAsciiSpaces(input);
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFC);
        PrecisRules.enforce(PROFILE, normalized, PrecisRules.StringClass.FREEFORM);
        return normalized;
    }

    /** True when {@link #prepare} accepts {@code input} and returns it unchanged. */
    public static boolean isPrepared(String input) {
        try {
            return prepare(input).equals(input);
        } catch (PrecisException e) {
            return false;
        }
    }

    private static String mapNonAsciiSpaces(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            if (cp != ' ' && Character.getType(cp) == Character.SPACE_SEPARATOR) {
                if (out == null) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
                out.append(' ');
            } else if (out != null) {
                out.appendCodePoint(cp);
            }
            i += n;
        }
        return out == null ? s : out.toString();
    }
}
