package io.traverse.stun.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.traverse.stun.auth.PrecisException.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsernameCasePreservedTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "'ASCII kept, case preserved', AliceB, AliceB",
        "'fullwidth Latin to ASCII', \uFF21\uFF4C\uFF49\uFF43\uFF45, Alice",
        "'fullwidth digits', user\uFF11\uFF12, user12",
        "'halfwidth katakana + voiced mark compose', \uFF76\uFF9E, \u30AC",
        "'NFC', cafe\u0301, caf\u00E9",
        "'katakana kept', \u30DE\u30C8\u30EA\u30C3\u30AF\u30B9, \u30DE\u30C8\u30EA\u30C3\u30AF\u30B9",
    })
    void prepares(String name, String input, String expected) throws PrecisException {
        assertEquals(expected, UsernameCasePreserved.prepare(input));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "'space', a b, DISALLOWED",
        "'ideographic space maps to space, then rejected', a\u3000b, DISALLOWED",
        "'non-ASCII symbol', a\u20ACb, DISALLOWED",
        "'compatibility char (no NFKC beyond width)', \u2168, DISALLOWED",
        "'control', 'a\u0001', CONTROL",
        "'empty', '', EMPTY",
    })
    void rejects(String name, String input, Reason reason) {
        PrecisException e = assertThrows(PrecisException.class, () -> UsernameCasePreserved.prepare(input));
        assertEquals(reason, e.reason());
    }
}
