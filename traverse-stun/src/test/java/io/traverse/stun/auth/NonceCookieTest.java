package io.traverse.stun.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NonceCookieTest {

    @Test
    void rfc8489AppendixB1NonceAnnouncesUsernameAnonymityOnly() {
        // Erratum 6290: bit 0 is the least significant bit. "AAAC" = 0x000002 = bit 1.
        byte[] msg = StunVectors.load("rfc8489-b1-erratum6268-request.hex");
        String nonce = new String(StunVectors.attributeValue(msg, 0x0015), StandardCharsets.US_ASCII);
        assertEquals("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA", nonce);

        assertEquals(OptionalInt.of(2), NonceCookie.featureBits(nonce));
        assertEquals(EnumSet.of(SecurityFeature.USERNAME_ANONYMITY),
                SecurityFeature.fromBits(NonceCookie.featureBits(nonce).getAsInt()));
        assertTrue(NonceCookie.announces(nonce, SecurityFeature.USERNAME_ANONYMITY));
        assertFalse(NonceCookie.announces(nonce, SecurityFeature.PASSWORD_ALGORITHMS));
    }

    @ParameterizedTest
    @CsvSource({
        "0, obMatJos2AAAA",
        "1, obMatJos2AAAB",
        "2, obMatJos2AAAC",
        "3, obMatJos2AAAD",
        "16777215, obMatJos2////",
    })
    void encodesBitZeroAsLeastSignificant(int bits, String cookie) {
        assertEquals(cookie, NonceCookie.encode(bits));
        assertEquals(OptionalInt.of(bits), NonceCookie.featureBits(cookie + "rest"));
    }

    @Test
    void featureMasks() {
        assertEquals(1, SecurityFeature.PASSWORD_ALGORITHMS.mask());
        assertEquals(2, SecurityFeature.USERNAME_ANONYMITY.mask());
        assertEquals(3, SecurityFeature.toBits(EnumSet.allOf(SecurityFeature.class)));
        assertEquals(EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS), SecurityFeature.fromBits(0x800001));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "obMatJos2", "obMatJos2AAA", "obMatJos3AAAD", "f//499k954d6OL34oL9FSTvy64sA",
        "obMatJos2AA-D", "obMatJos2AA=D"})
    void noCookie(String nonce) {
        assertEquals(OptionalInt.empty(), NonceCookie.featureBits(nonce));
    }

    @Test
    void nullHasNoCookie() {
        assertEquals(OptionalInt.empty(), NonceCookie.featureBits(null));
    }

    @Test
    void encodeRejectsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> NonceCookie.encode(1 << 24));
        assertThrows(IllegalArgumentException.class, () -> NonceCookie.encode(-1));
    }
}
