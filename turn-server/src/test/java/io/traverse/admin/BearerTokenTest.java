package io.traverse.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class BearerTokenTest {

    static final String TOKEN = "s3cr3t-T0ken_value.~+/=";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"Bearer " + TOKEN, "bearer " + TOKEN, "BEARER " + TOKEN, "Bearer   " + TOKEN + "  "})
    void acceptsTheTokenWithAnyCaseScheme(String header) {
        assertTrue(BearerToken.of(TOKEN).matches(header));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "Bearer", "Bearer ", TOKEN, "Basic " + TOKEN, "Bearer" + TOKEN, "Bearer x" + TOKEN,
        "Bearer " + TOKEN + "x", "Bearer s3cr3t", "Bearers " + TOKEN})
    void refusesAnythingElse(String header) {
        assertFalse(BearerToken.of(TOKEN).matches(header));
    }

    @Test
    void readsTheFileTrimmed() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "\n  " + TOKEN + "\n");
        assertTrue(BearerToken.read(file).matches("Bearer " + TOKEN));
    }

    @Test
    void toStringHidesTheToken() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), TOKEN);
        assertEquals("BearerToken[redacted]", BearerToken.read(file).toString());
    }

    @Test
    void missingFileNamesTheFile() {
        Path file = dir.resolve("absent");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BearerToken.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  \n\t", "two words", "t\u00f6ken", "tab\there"})
    void unusableTokensAreRefusedWithoutEchoingThem(String content) throws Exception {
        Path file = Files.writeString(dir.resolve("token"), content);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BearerToken.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        if (!content.isBlank()) {
            assertFalse(e.getMessage().contains(content.trim()), e.getMessage());
        }
    }
}
