package io.traverse.stun.auth;

import java.text.Normalizer;
import java.util.Objects;

/**
 * The PRECIS UsernameCasePreserved profile (RFC 8265 §3.4), a subset.
 *
 * <p><b>Not used for STUN key derivation or USERHASH.</b> RFC 8489 §14.3 deliberately processes
 * usernames with OpaqueString instead ("This specification uses the OpaqueString profile instead of
 * the UsernameCasePreserved profile ... to improve compatibility with deployed password stores"),
 * and §14.4 defines {@code userhash = SHA-256(OpaqueString(username) ":" OpaqueString(realm))}.
 * This class exists for operators who want to restrict the usernames they create to identifiers
 * (e.g. a CLI "strict username" check); it never changes what the server computes.
 *
 * <p>Enforcement (RFC 8265 §3.4.2):
 *
 * <ol>
 *   <li>Width mapping: fullwidth and halfwidth code points (decomposition type &lt;wide&gt; or
 *       &lt;narrow&gt;: U+3000, U+FF01–U+FFEE, U+20A9) are replaced by their compatibility mapping;
 *       no other compatibility mapping is applied.
 *   <li>Additional mapping and case mapping: none (case preserved).
 *   <li>Normalisation: NFC.
 *   <li>Directionality: the Bidi rule (RFC 5893) is <em>not</em> implemented.
 * </ol>
 *
 * Every code point must then be valid in the IdentifierClass (RFC 8264 §4.2): no spaces, no
 * symbols or punctuation outside ASCII, no compatibility characters.
 */
public final class UsernameCasePreserved {
    static final String PROFILE = "UsernameCasePreserved";

    private UsernameCasePreserved() {}

    /**
     * Applies the profile.
     *
     * @throws PrecisException if the result is empty or holds a code point outside the class
     */
    public static String prepare(String input) throws PrecisException {
        Objects.requireNonNull(input, "input");
        String mapped = PrecisRules.isPrintableAscii(input) ? input : mapWidth(input);
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFC);
        PrecisRules.enforce(PROFILE, normalized, PrecisRules.StringClass.IDENTIFIER);
        return normalized;
    }

    private static boolean isWideOrNarrow(int cp) {
        return cp == 0x3000 || cp == 0x20A9 || (cp >= 0xFF01 && cp <= 0xFFEE);
    }

    private static String mapWidth(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isWideOrNarrow(cp)) {
                // NFKC of a single wide/narrow code point is exactly its <wide>/<narrow> mapping;
                // unassigned code points in the range are returned unchanged.
                out.append(Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC));
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }
}
