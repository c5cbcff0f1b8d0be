package io.traverse.stun.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.auth.PrecisException.Reason;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OpaqueStringTest {

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("plain ASCII", "TheMatrIX", "TheMatrIX"),
                Arguments.of("ASCII space kept", "correct horse", "correct horse"),
                Arguments.of("NBSP U+00A0 to space", "a\u00A0b", "a b"),
                Arguments.of("ideographic space U+3000 to space", "a\u3000b", "a b"),
                Arguments.of("em space U+2003 to space", "a\u2003b", "a b"),
                Arguments.of("NFC composes e + acute", "cafe\u0301", "caf\u00E9"),
                Arguments.of("NFC composes Hangul jamo", "\u1100\u1161", "\uAC00"),
                Arguments.of("NFC maps Angstrom sign", "\u212B", "\u00C5"),
                Arguments.of("no case mapping", "ABCdef", "ABCdef"),
                Arguments.of("no compatibility mapping (ª, Ⅸ kept)", "M\u00AAtr\u2168", "M\u00AAtr\u2168"),
                Arguments.of("fullwidth kept", "\uFF21\uFF22", "\uFF21\uFF22"),
                Arguments.of("katakana", LongTermKeyTest.USERNAME, LongTermKeyTest.USERNAME),
                Arguments.of("symbols and punctuation", "p@$$w0rd!€«»", "p@$$w0rd!€«»"),
                Arguments.of("emoji (So, supplementary)", "pw\uD83D\uDE00", "pw\uD83D\uDE00"),
                Arguments.of("sharp s exception PVALID", "stra\u00DFe", "stra\u00DFe"),
                Arguments.of("middle dot between l and l", "l\u00B7l", "l\u00B7l"),
                Arguments.of("katakana middle dot with katakana", "\u30AB\u30FB\u30AB", "\u30AB\u30FB\u30AB"),
                Arguments.of("Greek keraia before Greek", "\u0375\u03B1", "\u0375\u03B1"),
                Arguments.of("only a space", " ", " "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void prepares(String name, String input, String expected) throws PrecisException {
        assertEquals(expected, OpaqueString.prepare(input));
        assertEquals(expected, OpaqueString.prepare(expected), "idempotent");
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("empty", "", Reason.EMPTY),
                Arguments.of("NUL", "a\u0000b", Reason.CONTROL),
                Arguments.of("TAB", "a\tb", Reason.CONTROL),
                Arguments.of("LF", "a\nb", Reason.CONTROL),
                Arguments.of("DEL", "a\u007Fb", Reason.CONTROL),
                Arguments.of("C1 control U+0085", "a\u0085b", Reason.CONTROL),
                Arguments.of("lone high surrogate", "a\uD800b", Reason.SURROGATE),
                Arguments.of("lone low surrogate", "\uDC00", Reason.SURROGATE),
                Arguments.of("noncharacter U+FFFF", "a\uFFFF", Reason.NONCHARACTER),
                Arguments.of("noncharacter U+FDD0", "\uFDD0", Reason.NONCHARACTER),
                Arguments.of("noncharacter U+1FFFE", "a\uD83F\uDFFE", Reason.NONCHARACTER),
                Arguments.of("soft hyphen", "a\u00ADb", Reason.IGNORABLE),
                Arguments.of("zero width space", "a\u200Bb", Reason.IGNORABLE),
                Arguments.of("BOM / ZWNBSP", "\uFEFFab", Reason.IGNORABLE),
                Arguments.of("variation selector", "a\uFE0F", Reason.IGNORABLE),
                Arguments.of("ZWJ", "a\u200Db", Reason.JOIN_CONTROL),
                Arguments.of("ZWNJ", "a\u200Cb", Reason.JOIN_CONTROL),
                Arguments.of("unassigned U+0378", "a\u0378", Reason.UNASSIGNED),
                Arguments.of("isolated old jamo", "\u11A8", Reason.OLD_HANGUL_JAMO),
                Arguments.of("private use", "a\uE000", Reason.DISALLOWED),
                Arguments.of("line separator Zl", "a\u2028b", Reason.DISALLOWED),
                Arguments.of("paragraph separator Zp", "a\u2029b", Reason.DISALLOWED),
                Arguments.of("format char Cf U+0600", "\u0600", Reason.DISALLOWED),
                Arguments.of("tatweel exception DISALLOWED", "\u0640", Reason.DISALLOWED),
                Arguments.of("middle dot not between l", "a\u00B7b", Reason.CONTEXT_RULE),
                Arguments.of("katakana middle dot alone", "a\u30FBb", Reason.CONTEXT_RULE),
                Arguments.of("geresh after Latin", "a\u05F3", Reason.CONTEXT_RULE),
                Arguments.of("keraia at end", "a\u0375", Reason.CONTEXT_RULE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejects(String name, String input, Reason reason) {
        PrecisException e = assertThrows(PrecisException.class, () -> OpaqueString.prepare(input));
        assertEquals(reason, e.reason());
        assertTrue(e.getMessage().startsWith("OpaqueString: "));
    }

    @Test
    void exceptionLocatesTheCodePointButItsMessageDoesNot() {
        PrecisException e = assertThrows(PrecisException.class, () -> OpaqueString.prepare("secret\u0007x"));
        assertEquals(0x07, e.codePoint());
        assertEquals(6, e.index());
        assertFalse(e.getMessage().contains("secret"));
        assertFalse(e.getMessage().contains("0007"));
    }

    @Test
    void asciiInputIsReturnedAsIs() throws PrecisException {
        String s = "alice";
        assertSame(s, OpaqueString.prepare(s));
    }

    @Test
    void isPreparedDistinguishesFixedPoints() {
        assertTrue(OpaqueString.isPrepared("caf\u00E9"));
        assertFalse(OpaqueString.isPrepared("cafe\u0301"));
        assertFalse(OpaqueString.isPrepared("a\u00A0b"));
        assertFalse(OpaqueString.isPrepared(""));
    }
}
