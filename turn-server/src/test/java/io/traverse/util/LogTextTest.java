package io.traverse.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void plainAsciiPassesUnchanged() {
        String name = "1700000000:alice@example.org";
        assertSame(name, LogText.escape(name));
    }

    @Test
    void controlCharactersCannotForgeLogLines() {
        assertEquals("alice\\u000a2026-01-01 INFO forged", LogText.escape("alice\n2026-01-01 INFO forged"));
        assertEquals("\\u001b[31mred", LogText.escape("\u001b[31mred"));
        assertEquals("a\\u005cb", LogText.escape("a\\b"), "the escape character itself is escaped");
    }

    @Test
    void nonAsciiIsEscaped() {
        assertEquals("j\\u00fcrgen \\ud83d\\ude00", LogText.escape("jürgen 😀"));
    }

    @Test
    void longTextIsCut() {
        assertEquals("u".repeat(LogText.MAX_CHARS) + "...", LogText.escape("u".repeat(LogText.MAX_CHARS + 1)));
        assertEquals("null", LogText.escape(null));
    }
}
