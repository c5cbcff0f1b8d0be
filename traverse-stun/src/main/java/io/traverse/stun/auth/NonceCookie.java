package io.traverse.stun.auth;

import java.util.Base64;
import java.util.OptionalInt;

/**
 * The nonce cookie of RFC 8489 §9.2: {@code "obMatJos2"} followed by the 4-character base64
 * encoding of the 24-bit STUN Security Features (big-endian, bit 0 = least significant per erratum
 * 6290). A server that implements RFC 8489 starts every NONCE with it; a client that sees it knows
 * the server is RFC 8489-aware and which features it announced, so an on-path attacker who strips
 * PASSWORD-ALGORITHMS from a 401 (to force MD5) is detected by the client (§9.2.4, bid-down
 * protection), and the server can check that a request's nonce announces what it offers.
 */
public final class NonceCookie {
    /** The fixed prefix. */
    public static final String PREFIX = "obMatJos2";
    /** Prefix plus 4 base64 characters. */
    public static final int LENGTH = PREFIX.length() + 4;
    /** Largest value the 24 feature bits can hold. */
    public static final int MAX_BITS = 0xFFFFFF;

    private NonceCookie() {}

    /** The 13-character cookie announcing {@code bits} (0..{@link #MAX_BITS}). */
    public static String encode(int bits) {
        if (bits < 0 || bits > MAX_BITS) {
            throw new IllegalArgumentException("security feature bits out of 24-bit range: " + bits);
        }
        byte[] b = {(byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
        return PREFIX + Base64.getEncoder().encodeToString(b);
    }

    /**
     * The 24 feature bits of the cookie at the start of {@code nonce}, or empty when the nonce does
     * not start with a well-formed cookie (an RFC 5389-style nonce, or garbage).
     */
    public static OptionalInt featureBits(String nonce) {
        if (nonce == null || nonce.length() < LENGTH || !nonce.startsWith(PREFIX)) {
            return OptionalInt.empty();
        }
        String encoded = nonce.substring(PREFIX.length(), LENGTH);
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/';
            if (!base64) {
                return OptionalInt.empty();
            }
        }
        byte[] b = Base64.getDecoder().decode(encoded); // 4 valid chars always decode to 3 bytes
        return OptionalInt.of(((b[0] & 0xFF) << 16) | ((b[1] & 0xFF) << 8) | (b[2] & 0xFF));
    }

    /** True when {@code nonce} has a cookie announcing {@code feature}. */
    public static boolean announces(String nonce, SecurityFeature feature) {
        OptionalInt bits = featureBits(nonce);
        return bits.isPresent() && (bits.getAsInt() & feature.mask()) != 0;
    }
}
