package io.traverse.stun.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LongTermKeyTest {
    static final String USERNAME = StunVectors.USERNAME;
    static final String REALM = "example.org";
    static final String PASSWORD = "TheMatrIX";
    private static final int MESSAGE_INTEGRITY = 0x0008;
    private static final int MESSAGE_INTEGRITY_SHA256 = 0x001C;
    private static final int USERHASH = 0x001E;

    @Test
    void md5KeyOfRfc5769Section24MatchesDigestOfLiteralAndIndependentHex() throws Exception {
        byte[] key = LongTermKey.derive(PasswordAlgorithm.MD5, USERNAME, REALM, PASSWORD);

        byte[] direct = MessageDigest.getInstance("MD5")
                .digest("マトリックス:example.org:TheMatrIX".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(direct, key);
        // Computed outside Java: printf '%s' 'マトリックス:example.org:TheMatrIX' | md5sum
        assertEquals("e8ca7ad59d5eb0518e312911d2dab2a9", HexFormat.of().formatHex(key));
        assertEquals(16, key.length);
    }

    @Test
    void md5KeyVerifiesMessageIntegrityOfRfc5769Section24Request() throws Exception {
        byte[] msg = StunVectors.load("rfc5769-2.4-long-term-request.hex");
        byte[] key = LongTermKey.derive(PasswordAlgorithm.MD5, USERNAME, REALM, PASSWORD);

        assertEquals(hmacOverPrefix("HmacSHA1", key, msg, MESSAGE_INTEGRITY),
                HexFormat.of().formatHex(StunVectors.attributeValue(msg, MESSAGE_INTEGRITY)));
    }

    @Test
    void sha256KeyVerifiesMessageIntegritySha256OfRfc8489AppendixB1WithErratum6268() throws Exception {
        byte[] msg = StunVectors.load("rfc8489-b1-erratum6268-request.hex");
        byte[] key = LongTermKey.derive(PasswordAlgorithm.SHA256, USERNAME, REALM, PASSWORD);

        assertEquals(32, key.length);
        assertArrayEquals(MessageDigest.getInstance("SHA-256")
                .digest("マトリックス:example.org:TheMatrIX".getBytes(StandardCharsets.UTF_8)), key);
        // Computed outside Java with Python hashlib.sha256.
        assertEquals("dd295a613b9058c3c23d6dc7165bda072304d989c9d0af3a8c7e184b4f9bb4a1", HexFormat.of().formatHex(key));
        assertEquals(hmacOverPrefix("HmacSHA256", key, msg, MESSAGE_INTEGRITY_SHA256),
                HexFormat.of().formatHex(StunVectors.attributeValue(msg, MESSAGE_INTEGRITY_SHA256)));
    }

    @Test
    void userHashEqualsUserhashOfRfc8489AppendixB1() throws Exception {
        byte[] msg = StunVectors.load("rfc8489-b1-erratum6268-request.hex");
        assertArrayEquals(StunVectors.attributeValue(msg, USERHASH), LongTermKey.userHash(USERNAME, REALM));
    }

    @Test
    void wrongPasswordDoesNotVerify() throws Exception {
        byte[] msg = StunVectors.load("rfc5769-2.4-long-term-request.hex");
        byte[] key = LongTermKey.derive(PasswordAlgorithm.MD5, USERNAME, REALM, "TheMatrix");
        assertNotEquals(hmacOverPrefix("HmacSHA1", key, msg, MESSAGE_INTEGRITY),
                HexFormat.of().formatHex(StunVectors.attributeValue(msg, MESSAGE_INTEGRITY)));
    }

    @Test
    void realmAndPasswordArePreparedWithOpaqueString() throws Exception {
        // U+3000 IDEOGRAPHIC SPACE maps to U+0020; "e" + U+0301 composes to U+00E9 under NFC.
        byte[] prepared = LongTermKey.derive(PasswordAlgorithm.SHA256, "bob", "ex ample", "caf\u00E9 x");
        byte[] raw = LongTermKey.derive(PasswordAlgorithm.SHA256, "bob", "ex\u3000ample", "cafe\u0301\u3000x");
        assertArrayEquals(prepared, raw);
    }

    @Test
    void usernameIsUsedAsReceived() throws Exception {
        // The username is taken as sent in USERNAME; a non-NFC username gives a different key.
        byte[] nfc = LongTermKey.derive(PasswordAlgorithm.MD5, "caf\u00E9", REALM, PASSWORD);
        byte[] nfd = LongTermKey.derive(PasswordAlgorithm.MD5, "cafe\u0301", REALM, PASSWORD);
        assertNotEquals(HexFormat.of().formatHex(nfc), HexFormat.of().formatHex(nfd));
        assertArrayEquals(MessageDigest.getInstance("MD5")
                .digest(("cafe\u0301:" + REALM + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)), nfd);
    }

    @Test
    void rfc5769UnpreparedPasswordIsRejectedByOpaqueString() {
        // SASLprep mapped this to "TheMatrIX"; OpaqueString rejects U+00AD (default ignorable).
        PrecisException e = assertThrows(PrecisException.class, () -> LongTermKey.derive(
                PasswordAlgorithm.MD5, USERNAME, REALM, "The\u00ADM\u00AAtr\u2168"));
        assertEquals(PrecisException.Reason.IGNORABLE, e.reason());
        assertFalse(e.getMessage().contains("The"), "message must not contain the password");
    }

    @Test
    void emptyPasswordIsRejected() {
        PrecisException e = assertThrows(PrecisException.class,
                () -> LongTermKey.derive(PasswordAlgorithm.MD5, "u", REALM, ""));
        assertEquals(PrecisException.Reason.EMPTY, e.reason());
    }

    @ParameterizedTest
    @CsvSource({"1, MD5, 16", "2, SHA256, 32"})
    void algorithmCodesAndKeyLengths(int code, PasswordAlgorithm algorithm, int keyLength) {
        assertEquals(algorithm, PasswordAlgorithm.fromCode(code).orElseThrow());
        assertEquals(code, algorithm.code());
        assertEquals(keyLength, algorithm.keyLength());
    }

    @ParameterizedTest
    @CsvSource({"0", "3", "65535", "-1"})
    void unknownAlgorithmCodes(int code) {
        assertTrue(PasswordAlgorithm.fromCode(code).isEmpty());
    }

    /** HMAC over the message up to the attribute at {@code type} (which must be last). */
    private static String hmacOverPrefix(String alg, byte[] key, byte[] msg, int type) throws Exception {
        int off = StunVectors.attributeOffset(msg, type);
        Mac mac = Mac.getInstance(alg);
        mac.init(new SecretKeySpec(key, alg));
        return HexFormat.of().formatHex(mac.doFinal(Arrays.copyOf(msg, off)));
    }
}
